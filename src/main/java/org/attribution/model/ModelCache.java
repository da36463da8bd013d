package org.attribution.model;

import ai.djl.Device;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/**
 * Models loaded once per JVM and shared by every task that runs in it.
 *
 * <p>On a Spark executor each task asks the cache instead of loading the model itself, so a
 * model is read and loaded once per executor rather than once per task, and concurrent tasks
 * share one instance (which {@link TorchScriptModel} allows). Cached models live until the JVM
 * exits: a shutdown hook closes them, and nothing else may, since any later task may still use
 * them.
 */
public final class ModelCache {

  /**
   * Everything a cached model was loaded with.
   *
   * @param modelSha256 SHA-256 of the model bytes in lowercase hex, see {@link #sha256Hex}
   * @param device where the model runs
   * @param transform applied to the model's outputs
   * @param inputShape the shape of one input row
   */
  public record Key(String modelSha256, Device device, OutputTransform transform, InputShape inputShape) {

    /** The key of a model taking flat rows of {@code inputWidth} columns. */
    public Key(String modelSha256, Device device, OutputTransform transform, int inputWidth) {
      this(modelSha256, device, transform, InputShape.flat(inputWidth));
    }
  }

  private static final ConcurrentMap<Key, TorchScriptModel> MODELS = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ModelCache::closeAll, "attribution-model-cache-close"));
  }

  private ModelCache() {}

  /**
   * The model for {@code key}, loaded from {@code bytes} if this JVM has not loaded it yet.
   *
   * <p>Concurrent callers with the same key wait for a single load. A failed load is not
   * cached, so a later call tries again.
   *
   * @param key what to load; its hash is checked against the bytes
   * @param name names the model in error messages
   * @param bytes supplies the model bytes, only called when the model is not cached yet
   * @throws IllegalArgumentException if the bytes do not hash to {@code key.modelSha256()} or
   *     do not load
   */
  public static TorchScriptModel get(Key key, String name, Supplier<byte[]> bytes) {
    return MODELS.computeIfAbsent(key, k -> load(k, name, bytes.get()));
  }

  private static TorchScriptModel load(Key key, String name, byte[] bytes) {
    String actual = sha256Hex(bytes);
    if (!actual.equals(key.modelSha256())) {
      throw new IllegalArgumentException(
          "Cannot load model " + name + ": its SHA-256 is " + actual + ", expected "
              + key.modelSha256());
    }
    return TorchScriptModel.load(name, bytes, key.device(), key.transform(), key.inputShape());
  }

  /** SHA-256 of {@code bytes} in lowercase hex: identifies model contents in cache keys. */
  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      // Every Java platform must provide SHA-256.
      throw new IllegalStateException("Cannot hash model: " + e.getMessage(), e);
    }
  }

  private static void closeAll() {
    MODELS.values().forEach(TorchScriptModel::close);
  }
}
