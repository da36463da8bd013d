import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Converts lending_club.csv into the project's sample Parquet file, prefixed with a 1-based
 * {@code loan_id} in CSV order.
 *
 * <p>Usage (single-file source launcher, Spark on the class path):
 * {@code java -cp <classpath> scripts/MakeSampleParquet.java <in.csv> <out.parquet>}
 *
 * <p>The output is one Parquet file rather than Spark's directory layout, so that the sample
 * has a stable name and the rebuild is byte-for-byte repeatable (Spark's part file names carry
 * a random UUID).
 */
public class MakeSampleParquet {

    // An explicit schema, because inference would read annual_inc as int when a sample happens
    // to hold only whole numbers, and would silently change the contract the job relies on.
    // Order must be the CSV's order: the header is checked against it (enforceSchema=false).
    private static final Object[][] COLUMNS = {
        {"funded_amnt", DataTypes.IntegerType},
        {"term", DataTypes.StringType},
        {"int_rate", DataTypes.DoubleType},
        {"sub_grade", DataTypes.StringType},
        {"addr_state", DataTypes.StringType},
        {"verification_status", DataTypes.StringType},
        {"annual_inc", DataTypes.DoubleType},
        {"emp_length", DataTypes.StringType},
        {"delinq_2yrs", DataTypes.IntegerType},
        {"inq_last_6mths", DataTypes.IntegerType},
        {"revol_util", DataTypes.DoubleType},
        {"acc_now_delinq", DataTypes.IntegerType},
        {"open_il_6m", DataTypes.IntegerType},
        {"open_il_12m", DataTypes.IntegerType},
        {"open_il_24m", DataTypes.IntegerType},
        {"total_bal_il", DataTypes.IntegerType},
        {"all_util", DataTypes.IntegerType},
        {"inq_fi", DataTypes.IntegerType},
        {"inq_last_12m", DataTypes.IntegerType},
        {"delinq_amnt", DataTypes.IntegerType},
        {"num_il_tl", DataTypes.IntegerType},
        {"total_il_high_credit_limit", DataTypes.IntegerType},
        {"Class", DataTypes.StringType},
    };

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: MakeSampleParquet <in.csv> <out.parquet>");
            System.exit(2);
        }
        Path csv = Path.of(args[0]);
        Path out = Path.of(args[1]).toAbsolutePath();
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException("input CSV not found: " + csv.toAbsolutePath());
        }

        List<StructField> fields = new ArrayList<>();
        for (Object[] c : COLUMNS) {
            fields.add(DataTypes.createStructField((String) c[0], (DataType) c[1], true));
        }
        StructType csvSchema = DataTypes.createStructType(fields);

        // local[1]: one task keeps the row order trivially and the output deterministic.
        SparkSession spark = SparkSession.builder()
                .appName("make-sample-parquet")
                .master("local[1]")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.log.level", "WARN")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Dataset<Row> raw = spark.read()
                    .option("header", "true")
                    .option("enforceSchema", "false")
                    // R's write.csv spells missing values NA; map them to null so that the
                    // null check below reports them instead of FAILFAST calling them malformed.
                    .option("nullValue", "NA")
                    .option("mode", "FAILFAST")
                    .schema(csvSchema)
                    .csv(csv.toAbsolutePath().toString());

            // No lambdas or RDD closures here: classes compiled by the source launcher live in a
            // memory class loader that Spark's task deserializer cannot see. The increasing id
            // follows partition order, i.e. file order, so row_number over it is the CSV line
            // number; the unpartitioned window is fine for a sample of this size.
            Dataset<Row> df = raw
                    .withColumn("loan_id", functions.row_number()
                            .over(Window.orderBy(functions.monotonically_increasing_id()))
                            .cast(DataTypes.LongType))
                    .select(Stream.concat(Stream.of("loan_id"), Stream.of(csvSchema.fieldNames()))
                            .map(functions::col).toArray(Column[]::new))
                    .cache();

            Column anyNull = functions.lit(false);
            for (String name : csvSchema.fieldNames()) {
                anyNull = anyNull.or(functions.col(name).isNull());
            }
            long nulls = df.filter(anyNull).count();
            if (nulls > 0) {
                throw new IllegalStateException(nulls + " rows of " + csv
                        + " have missing values; the sample contract has none");
            }

            Path tmp = out.resolveSibling(out.getFileName() + ".spark-tmp");
            deleteRecursively(tmp);
            df.coalesce(1).write().mode(SaveMode.Overwrite).parquet(tmp.toString());

            List<Path> parts;
            try (Stream<Path> s = Files.list(tmp)) {
                parts = s.filter(p -> p.getFileName().toString().startsWith("part-")
                        && p.getFileName().toString().endsWith(".parquet")).toList();
            }
            if (parts.size() != 1) {
                throw new IllegalStateException("expected one part file in " + tmp + ", found " + parts);
            }
            deleteRecursively(out);
            Files.move(parts.get(0), out, StandardCopyOption.REPLACE_EXISTING);
            deleteRecursively(tmp);

            Dataset<Row> check = spark.read().parquet(out.toString());
            System.out.println("wrote " + out + ": " + check.count() + " rows");
            check.printSchema();
        } finally {
            spark.stop();
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
