package org.attribution.model;

import static org.attribution.model.ModelFixtures.LINEAR;
import static org.attribution.model.ModelFixtures.LINEAR_SINGLE_OUTPUT;
import static org.attribution.model.ModelFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The per-JVM model cache. Its models stay open until the test JVM exits, as on an executor.
 * Tests that count loads use a key no other test uses, so they pass in any order.
 */
class ModelCacheTest {

  private static final byte[] LINEAR_BYTES = bytes(LINEAR);
  private static final String LINEAR_SHA = ModelCache.sha256Hex(LINEAR_BYTES);

  @Test
  void sha256HexMatchesTheStandardTestVector() {
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ModelCache.sha256Hex("abc".getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void sameKeyLoadsOnceAndSharesOneInstance() {
    ModelCache.Key key = new ModelCache.Key(LINEAR_SHA, Device.cpu(), OutputTransform.IDENTITY, 4);
    AtomicInteger reads = new AtomicInteger();
    Supplier<byte[]> bytes = () -> {
      reads.incrementAndGet();
      return LINEAR_BYTES;
    };
    TorchScriptModel first = ModelCache.get(key, LINEAR, bytes);
    TorchScriptModel second = ModelCache.get(
        new ModelCache.Key(LINEAR_SHA, Device.cpu(), OutputTransform.IDENTITY, 4), LINEAR, bytes);
    assertSame(first, second);
    assertEquals(1, reads.get());
    assertEquals(2, first.outputWidth());
  }

  @Test
  void concurrentFirstCallsLoadOnce() throws Exception {
    ModelCache.Key key = new ModelCache.Key(LINEAR_SHA, Device.cpu(), OutputTransform.SIGMOID, 4);
    AtomicInteger reads = new AtomicInteger();
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<TorchScriptModel>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Callable<TorchScriptModel> task = () -> {
          start.await();
          return ModelCache.get(key, LINEAR, () -> {
            reads.incrementAndGet();
            return LINEAR_BYTES;
          });
        };
        futures.add(pool.submit(task));
      }
      start.countDown();
      TorchScriptModel first = futures.get(0).get();
      for (Future<TorchScriptModel> future : futures) {
        assertSame(first, future.get());
      }
      assertEquals(1, reads.get());
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void differentModelOrTransformIsADifferentInstance() {
    byte[] single = bytes(LINEAR_SINGLE_OUTPUT);
    String singleSha = ModelCache.sha256Hex(single);
    TorchScriptModel identity = ModelCache.get(
        new ModelCache.Key(singleSha, Device.cpu(), OutputTransform.IDENTITY, 4),
        LINEAR_SINGLE_OUTPUT, () -> single);
    TorchScriptModel sigmoid = ModelCache.get(
        new ModelCache.Key(singleSha, Device.cpu(), OutputTransform.SIGMOID, 4),
        LINEAR_SINGLE_OUTPUT, () -> single);
    TorchScriptModel otherModel = ModelCache.get(
        new ModelCache.Key(LINEAR_SHA, Device.cpu(), OutputTransform.SOFTMAX, 4), LINEAR,
        () -> LINEAR_BYTES);
    assertNotSame(identity, sigmoid);
    assertNotSame(identity, otherModel);
    assertEquals(OutputTransform.IDENTITY, identity.transform());
    assertEquals(OutputTransform.SIGMOID, sigmoid.transform());
    assertEquals(1, identity.outputWidth());
    assertEquals(2, otherModel.outputWidth());
  }

  @Test
  void bytesThatDoNotMatchTheHashAreRejected() {
    String otherSha = ModelCache.sha256Hex(new byte[] {1, 2, 3});
    ModelCache.Key key = new ModelCache.Key(otherSha, Device.cpu(), OutputTransform.IDENTITY, 4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelCache.get(key, LINEAR, () -> LINEAR_BYTES));
    assertEquals("Cannot load model linear.pt: its SHA-256 is " + LINEAR_SHA + ", expected "
        + otherSha, e.getMessage());
  }

  @Test
  void failedLoadIsNotCached() {
    byte[] corrupt = "not a model".getBytes(StandardCharsets.US_ASCII);
    ModelCache.Key key = new ModelCache.Key(
        ModelCache.sha256Hex(corrupt), Device.cpu(), OutputTransform.IDENTITY, 4);
    AtomicInteger reads = new AtomicInteger();
    Supplier<byte[]> bytes = () -> {
      reads.incrementAndGet();
      return corrupt;
    };
    assertThrows(IllegalArgumentException.class, () -> ModelCache.get(key, "corrupt.pt", bytes));
    assertThrows(IllegalArgumentException.class, () -> ModelCache.get(key, "corrupt.pt", bytes));
    assertEquals(2, reads.get());
  }
}
