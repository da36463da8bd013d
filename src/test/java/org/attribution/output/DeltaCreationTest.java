package org.attribution.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run that finds another's creation of a Delta path table under way (its log directory, no
 * commit yet) waits for it, however long the first commit takes, and then writes its own rows.
 */
class DeltaCreationTest {

  @TempDir Path dir;

  @Test
  void aCreationUnderWayIsWaitedFor() throws Exception {
    SparkSession spark = SparkTestSession.get();
    String staged = dir.resolve("staged").toString();
    spark.range(3).selectExpr("id AS feature_rank").write().parquet(staged);
    DeltaTables sink = DeltaTables.embedded(spark, dir.resolve("out").toString());
    // The other run's creation: its log directory, with its first commit still to come.
    Path log = dir.resolve("out/delta/global_importance/_delta_log");
    Files.createDirectories(log);
    assertTrue(sink.beingCreated("global_importance"));

    CompletableFuture<Void> commit = CompletableFuture.runAsync(() -> sink.commit("run-1", LocalDate.of(2026, 12, 1),
        List.of(new TableSink.Staged("global_importance", staged))));
    // Longer than five quick tries took (up to 3 s in all): the other run is slow to commit.
    Thread.sleep(6_000);
    assertTrue(!commit.isDone(), "still waiting for the other run's first commit");
    // That run gives up before committing; its log goes, and this run creates the table itself.
    Files.delete(log);
    commit.get(120, TimeUnit.SECONDS);

    assertEquals(3, sink.read("global_importance").orElseThrow().count());
  }
}
