package org.attribution.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;

/**
 * Spark SQL settings the job needs for speed, applied to the session for the length of a run
 * unless the user set them, and taken back afterwards.
 *
 * <p>The job's input stage (reject reasons, category lookups and casts of every feature in one
 * projection) compiles into a whole-stage method a little over HotSpot's 8,000-byte JIT limit for
 * the sample's 22 features (8,903 bytes), and far over it for wider inputs. Such a method runs
 * interpreted: the first pass over 300,000 sample rows took 8.6 s with it against 3.1 s with this
 * setting. Spark's documented remedy is
 * {@code spark.sql.codegen.hugeMethodLimit=8000}: a plan whose method would be larger runs with
 * per-operator generated code instead, whose methods are split small enough to compile.
 */
final class SqlSettings implements AutoCloseable {

  /** HotSpot's default {@code -XX:HugeMethodLimit}: larger methods are never JIT-compiled. */
  static final Map<String, String> DEFAULTS = Map.of("spark.sql.codegen.hugeMethodLimit", "8000");

  private final RuntimeConfig conf;
  private final List<String> applied = new ArrayList<>();

  private SqlSettings(RuntimeConfig conf) {
    this.conf = conf;
  }

  /** Sets every default the session does not already set; {@link #close()} unsets them again. */
  static SqlSettings apply(SparkSession spark) {
    SqlSettings settings = new SqlSettings(spark.conf());
    DEFAULTS.forEach((key, value) -> {
      if (!settings.conf.contains(key)) {
        settings.conf.set(key, value);
        settings.applied.add(key);
      }
    });
    return settings;
  }

  @Override
  public void close() {
    applied.forEach(conf::unset);
  }
}
