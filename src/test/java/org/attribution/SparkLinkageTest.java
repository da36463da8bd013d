package org.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.attribution.cli.AttributionCli;
import org.junit.jupiter.api.Test;

/**
 * Every Spark and Scala class, method and field that the job's classes refer to exists in the
 * Spark and Scala on the test class path: the classes the job jar is made of, read from their
 * class files, linked against the Spark line the build is for. A class compiled against Spark 4
 * or Scala 2.13 (a {@code scala.jdk} converter, a method Spark 3.5 lacks, a Scala 2.13
 * collection type in a signature) fails here on the Spark 3.5 build, with the member it names,
 * instead of with a {@code NoSuchMethodError} in a task on a cluster.
 */
class SparkLinkageTest {

  private static final List<String> CHECKED_PACKAGES = List.of("scala/", "org/apache/spark/");

  @Test
  void theJobsClassesLinkAgainstTheSparkOnTheClassPath() throws IOException, URISyntaxException {
    Path classes = Path.of(AttributionCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Set<String> missing = new TreeSet<>();
    int checked = 0;
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          for (Reference reference : ConstantPool.read(in).references()) {
            if (CHECKED_PACKAGES.stream().anyMatch(reference.owner()::startsWith)) {
              checked++;
              if (!resolves(reference)) {
                missing.add(classes.relativize(file) + " -> " + reference);
              }
            }
          }
        }
      }
    }
    // Guards the test itself: the job's classes use Spark and Scala in hundreds of places.
    assertTrue(checked > 100, "Only " + checked + " Spark and Scala references found under " + classes);
    assertEquals("", String.join("\n", missing));
  }

  private static boolean resolves(Reference reference) {
    Class<?> owner;
    try {
      owner = Class.forName(reference.owner().replace('/', '.'), false, SparkLinkageTest.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
    if (reference.name() == null) {
      return true;
    }
    if (reference.name().equals("<init>")) {
      return Arrays.stream(owner.getDeclaredConstructors())
          .anyMatch(c -> descriptor(c, void.class).equals(reference.descriptor()));
    }
    for (Class<?> type : supertypes(owner)) {
      if (reference.field()) {
        for (Field field : type.getDeclaredFields()) {
          if (field.getName().equals(reference.name()) && descriptor(field.getType()).equals(reference.descriptor())) {
            return true;
          }
        }
      } else {
        for (Method method : type.getDeclaredMethods()) {
          if (method.getName().equals(reference.name()) && descriptor(method, method.getReturnType()).equals(reference.descriptor())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The class, its superclasses and every interface they implement. */
  private static List<Class<?>> supertypes(Class<?> type) {
    List<Class<?>> all = new ArrayList<>();
    Set<Class<?>> seen = new HashSet<>();
    Deque<Class<?>> next = new ArrayDeque<>(List.of(type));
    while (!next.isEmpty()) {
      Class<?> current = next.poll();
      if (seen.add(current)) {
        all.add(current);
        if (current.getSuperclass() != null) {
          next.add(current.getSuperclass());
        }
        next.addAll(List.of(current.getInterfaces()));
      }
    }
    return all;
  }

  private static String descriptor(Executable executable, Class<?> returnType) {
    return Arrays.stream(executable.getParameterTypes()).map(SparkLinkageTest::descriptor)
        .collect(Collectors.joining("", "(", ")")) + descriptor(returnType);
  }

  private static String descriptor(Class<?> type) {
    if (type.isArray()) {
      return type.getName().replace('.', '/');
    }
    if (!type.isPrimitive()) {
      return "L" + type.getName().replace('.', '/') + ";";
    }
    return switch (type.getName()) {
      case "boolean" -> "Z";
      case "byte" -> "B";
      case "char" -> "C";
      case "short" -> "S";
      case "int" -> "I";
      case "long" -> "J";
      case "float" -> "F";
      case "double" -> "D";
      default -> "V";
    };
  }

  /** A class (name null), method or field that a class file refers to. */
  private record Reference(String owner, String name, String descriptor, boolean field) {
    @Override
    public String toString() {
      return name == null ? owner : owner + "." + name + descriptor;
    }
  }

  /** The class, field and method references of one class file's constant pool (JVMS 4.4). */
  private record ConstantPool(List<Reference> references) {

    static ConstantPool read(InputStream stream) throws IOException {
      DataInputStream in = new DataInputStream(stream);
      in.readInt();
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      int[] classNames = new int[count];
      int[][] members = new int[count][];
      int[] nameAndTypes = new int[count * 2];
      boolean[] fields = new boolean[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 7 -> classNames[i] = in.readUnsignedShort();
          case 9, 10, 11 -> {
            members[i] = new int[] {in.readUnsignedShort(), in.readUnsignedShort()};
            fields[i] = tag == 9;
          }
          case 12 -> {
            nameAndTypes[2 * i] = in.readUnsignedShort();
            nameAndTypes[2 * i + 1] = in.readUnsignedShort();
          }
          case 3, 4 -> in.readInt();
          case 5, 6 -> {
            in.readLong();
            i++;
          }
          case 8, 16, 19, 20 -> in.readUnsignedShort();
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          case 17, 18 -> in.readInt();
          default -> throw new IOException("Cannot read a class file: constant pool tag " + tag);
        }
      }
      List<Reference> references = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        if (classNames[i] != 0 && !utf8[classNames[i]].startsWith("[")) {
          references.add(new Reference(utf8[classNames[i]], null, null, false));
        }
        if (members[i] != null) {
          String owner = utf8[classNames[members[i][0]]];
          int nameAndType = members[i][1];
          references.add(new Reference(owner, utf8[nameAndTypes[2 * nameAndType]],
              utf8[nameAndTypes[2 * nameAndType + 1]], fields[i]));
        }
      }
      return new ConstantPool(references);
    }
  }
}
