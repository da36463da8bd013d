package org.attribution.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * A TorchScript model run through DJL's PyTorch engine, as a {@link ModelFunction}.
 *
 * <p>The model takes one tensor {@code [rows, inputWidth]} and returns one tensor {@code [rows,
 * outputs]}, or {@code [rows]} for a single output. Rows travel as float32; a model that takes
 * float64 (exporters often keep float64 weights) gets them as float64, and its gradients come
 * back as float32. Outputs of any floating dtype are read as float32. Which input dtype the model
 * takes is found once, when it loads ({@link #inputType()}). It always runs in the mode it was
 * saved in (eval: BatchNorm uses its running statistics, Dropout is off), also when
 * computing gradients, so {@link #gradient} sees the same function as {@link #forward}.
 *
 * <p>Each call works in its own child {@link NDManager} scope, closed before the call returns;
 * only Java arrays leave. Calls are safe from several threads at once. The instance owns the
 * native model: whoever loads it closes it ({@link ModelCache} does that for cached models).
 */
public final class TorchScriptModel implements ModelFunction, AutoCloseable {

  private static final String ENGINE = "PyTorch";

  /**
   * The fewest rows a call hands libtorch. Its CPU matrix multiply takes other kernels for calls
   * of few rows, which round differently, so a row's outputs and gradients would depend on how
   * many rows shared its call, and through that on batching and partitioning. How few depends on
   * the processor (libtorch 2.7.1, sample model): calls of 1 to 3 rows on the AMD EPYC machines
   * this was first seen on, 1 to 15 on an Intel Xeon with AVX-512 and AMX. Shorter calls are
   * padded with copies of their first row, whose results are dropped; 32 is twice the largest
   * size seen to differ, and costs little since only a partition's last batch and single-row
   * f(x) calls are that short.
   */
  static final int MIN_CALL_ROWS = 32;

  private final String name;
  private final Model model;
  private final PtSymbolBlock block;
  private final OutputTransform transform;
  private final int inputWidth;
  private final InputShape inputShape;
  private final DataType inputType;
  private final int outputWidth;
  // Calls share the read lock; close() takes the write lock so it never frees a model that
  // another thread (a task still running at JVM shutdown) is using.
  private final Lock callLock;
  private final Lock closeLock;
  private boolean closed;

  private TorchScriptModel(
      String name, Model model, OutputTransform transform, InputShape inputShape) {
    this.name = name;
    this.model = model;
    this.block = (PtSymbolBlock) model.getBlock();
    this.transform = transform;
    this.inputWidth = inputShape.width();
    this.inputShape = inputShape;
    Signature signature = probe();
    this.inputType = signature.inputType();
    this.outputWidth = signature.outputWidth();
    ReadWriteLock lock = new ReentrantReadWriteLock();
    this.callLock = lock.readLock();
    this.closeLock = lock.writeLock();
  }

  /**
   * Loads a TorchScript file.
   *
   * @param file the saved TorchScript module
   * @param device where the model runs
   * @param transform applied to the model's outputs before they are returned or differentiated
   * @param inputWidth columns of one input row; TorchScript does not record it, so the caller
   *     states it and loading checks that the model runs on a row of that width
   * @throws IllegalArgumentException if the file is not a TorchScript model that maps float32
   *     or float64 rows of {@code inputWidth} to floating-point outputs
   * @throws UncheckedIOException if the file cannot be read
   */
  public static TorchScriptModel load(
      Path file, Device device, OutputTransform transform, int inputWidth) {
    String name = file.getFileName().toString();
    return load(name, file, device, transform, flat(name, inputWidth));
  }

  /**
   * Loads a TorchScript model from its bytes, as shipped to executors.
   *
   * <p>libtorch loads from a path, so the bytes pass through a temporary file that is deleted
   * once the model is in memory.
   *
   * @param name names the model in error messages, e.g. where the bytes came from
   * @param bytes the saved TorchScript module
   * @see #load(Path, Device, OutputTransform, int)
   */
  public static TorchScriptModel load(
      String name, byte[] bytes, Device device, OutputTransform transform, int inputWidth) {
    return load(name, bytes, device, transform, flat(name, inputWidth));
  }

  private static InputShape flat(String name, int inputWidth) {
    if (inputWidth < 1) {
      throw new IllegalArgumentException(
          "Cannot load model " + name + ": input width must be at least 1, got " + inputWidth);
    }
    return InputShape.flat(inputWidth);
  }

  /**
   * Loads a TorchScript model from its bytes, for a model whose rows are not flat vectors (an
   * image model takes {@code [channels, height, width]}): each call reshapes its rows to {@code
   * inputShape}, batch dimension first, and gradients come back flat in the same order.
   *
   * @see #load(String, byte[], Device, OutputTransform, int)
   */
  public static TorchScriptModel load(
      String name, byte[] bytes, Device device, OutputTransform transform, InputShape inputShape) {
    Path file = null;
    try {
      file = Files.createTempFile("attribution-model-", ".pt");
      Files.write(file, bytes);
      return load(name, file, device, transform, inputShape);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot load model " + name + ": " + e.getMessage(), e);
    } finally {
      if (file != null) {
        deleteQuietly(file);
      }
    }
  }

  private static TorchScriptModel load(
      String name, Path file, Device device, OutputTransform transform, InputShape inputShape) {
    if (!Files.isRegularFile(file)) {
      // DJL would say that it found no .pt file in a directory of that name.
      throw new IllegalArgumentException("Cannot load model " + name + ": no file at " + file);
    }
    EngineSettings.preferOffline();
    // Not through DJL's Criteria: its loader never closes a model whose file fails to load, and
    // DJL's finalizer then warns that the model "was not closed explicitly".
    Model model = Model.newInstance(name, device, ENGINE);
    try {
      try {
        // Without trainParam the weights load as inference tensors, and backward through them
        // fails ("Inference tensors cannot be saved for backward").
        model.load(file, null, Map.of("trainParam", "true"));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot load model " + name + ": " + e.getMessage(), e);
      } catch (MalformedModelException | EngineException e) {
        throw new IllegalArgumentException("Cannot load model " + name + ": " + reason(e), e);
      }
      // trainParam makes DJL leave the weights trainable; frozen, backward computes only the
      // input gradient and concurrent calls never accumulate into shared weight gradients.
      model.getBlock().freezeParameters(true);
      return new TorchScriptModel(name, model, transform, inputShape);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  /** What loading learns by running the model: the input dtype it takes, its output width. */
  private record Signature(DataType inputType, int outputWidth) {}

  /**
   * Runs one zero row in each input dtype the model may take until one runs, to learn that dtype
   * and the output width and to check the model fits its contract. A model that runs in none
   * fails with the error of the dtype tried first.
   */
  private Signature probe() {
    List<DataType> types = inputTypesToTry();
    EngineException first = null;
    try (NDManager scope = model.getNDManager().newSubManager()) {
      for (DataType type : types) {
        try {
          NDArray row = scope.zeros(new Shape(inputShape.ofBatch(1)), type);
          return new Signature(type, outputWidthOf(IValueUtils.forward(block, new NDList(row), false)));
        } catch (EngineException e) {
          if (first == null) {
            first = e;
          }
        }
      }
    }
    throw new IllegalArgumentException(
        "Cannot load model " + name + ": it does not run on a " + types.get(0) + " row of "
            + (inputShape.dimensions().size() == 1 ? "width " + inputWidth : "shape " + inputShape) + ": "
            + reason(first), first);
  }

  /**
   * float32 and float64, the rows' own float32 first unless the model has float64 weights: such
   * a model almost always takes float64, and trying that first spares a failing call and makes a
   * model that fits neither (a wrong width) fail with the error of the dtype it was made for.
   * The other dtype stays a fallback for models with no parameters, such as frozen ones, whose
   * weights are constants.
   */
  private List<DataType> inputTypesToTry() {
    boolean float64Weights = block.getParameters().values().stream()
        .anyMatch(parameter -> parameter.getArray().getDataType() == DataType.FLOAT64);
    return float64Weights
        ? List.of(DataType.FLOAT64, DataType.FLOAT32)
        : List.of(DataType.FLOAT32, DataType.FLOAT64);
  }

  private int outputWidthOf(NDList result) {
    if (result.size() != 1) {
      throw new IllegalArgumentException(
          "Cannot load model " + name + ": expected one output tensor, got " + result.size());
    }
    NDArray output = result.get(0);
    // DJL's PyTorch binding cannot name bfloat16: such outputs come back as unknown.
    DataType type = output.getDataType();
    if (!type.isFloating() && type != DataType.UNKNOWN) {
      throw new IllegalArgumentException(
          "Cannot load model " + name + ": expected floating-point outputs, got " + type);
    }
    Shape shape = output.getShape();
    int width;
    if (shape.dimension() == 1 && shape.get(0) == 1) {
      width = 1;
    } else if (shape.dimension() == 2 && shape.get(0) == 1) {
      width = Math.toIntExact(shape.get(1));
    } else {
      throw new IllegalArgumentException(
          "Cannot load model " + name + ": expected output shape [rows, outputs] or [rows], got "
              + shape + " for one row");
    }
    if (width == 1 && transform == OutputTransform.SOFTMAX) {
      throw new IllegalArgumentException(
          "Cannot load model " + name + ": softmax over a single output is always 1; use "
              + OutputTransform.SIGMOID.id() + " or " + OutputTransform.IDENTITY.id());
    }
    return width;
  }

  @Override
  public int inputWidth() {
    return inputWidth;
  }

  @Override
  public int outputWidth() {
    return outputWidth;
  }

  /**
   * The dtype the model takes its rows in, found at load: {@link DataType#FLOAT32} or {@link
   * DataType#FLOAT64}.
   */
  public DataType inputType() {
    return inputType;
  }

  /** The shape of one row as the model takes it. */
  public InputShape inputShape() {
    return inputShape;
  }

  /** The transform applied to the model's outputs. */
  public OutputTransform transform() {
    return transform;
  }

  @Override
  public float[] forward(float[] inputs, int rows) {
    checkInputs(inputs, rows);
    return forwardRows(inputs, rows);
  }

  /** {@inheritDoc} The rows are read from the buffer into the call's input tensor, as {@link #forward} reads them. */
  @Override
  public float[] forwardHead(float[] buffer, int rows) {
    if (rows < 0 || buffer.length < (long) rows * inputWidth) {
      throw new IllegalArgumentException("Cannot run model " + name + ": expected at least " + rows + " rows of "
          + inputWidth + " values, got " + buffer.length + " values");
    }
    return forwardRows(buffer, rows);
  }

  private float[] forwardRows(float[] inputs, int rows) {
    if (rows == 0) {
      return new float[0];
    }
    int callRows = Math.max(rows, MIN_CALL_ROWS);
    callLock.lock();
    try (NDManager scope = openScope()) {
      NDArray x = tensorOf(scope, inputs, rows, callRows);
      return floatsOf(transform.apply(outputs(x, false)), rows * outputWidth);
    } finally {
      callLock.unlock();
    }
  }

  @Override
  public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    checkInputs(inputs, rows);
    checkTargets(targets, rows, targetOutputs);
    if (rows == 0) {
      return new float[0];
    }
    int callRows = Math.max(rows, MIN_CALL_ROWS);
    return withGradients(scope -> {
      NDArray x = tensorOf(scope, inputs, rows, callRows);
      x.setRequiresGradient(true);
      backward(scope, outputs(x, true), padded(targets, rows, callRows), rows, targetOutputs);
      return floatsOf(x.getGradient(), rows * inputWidth);
    });
  }

  /**
   * On a GPU, {@link #pathGradientsInLibtorch}; on the CPU, {@link #pathGradientsOnHost}. Measured
   * on the CPU (sample model, 2,048-point calls, one thread, fastest of 40 rounds, three runs): a
   * plain gradient call 1,677–1,726 ns per point, with the points and sums built in Java 1,996–2,020
   * (the default's arrays), in libtorch 2,315–2,358. libtorch makes a pass over memory per
   * operation (about ten), where the JIT fuses the Java into two loops.
   */
  @Override
  public double[] pathGradients(PathPoints paths, int[] playerOfColumn, int players) {
    return model.getNDManager().getDevice().isGpu()
        ? pathGradientsInLibtorch(paths, playerOfColumn, players)
        : pathGradientsOnHost(paths, playerOfColumn, players);
  }

  /**
   * {@link ModelFunction#pathGradients}'s default arithmetic, bit for bit, with the points written
   * straight into the call's input tensor and the sums read straight from its gradient: the
   * default's two arrays of {@code count x inputWidth} floats per call, and their copies into and
   * out of libtorch, are gone. Those arrays are 2 MB at Gradient SHAP's 4,096-point calls on the
   * sample model, each a humongous object for G1 (one region of its own, zeroed, freed only by a
   * collection). Measured on the sample model, 4,096-point calls, 30 interleaved rounds (median
   * ns per point against a plain gradient call of the same points): on two threads at once, as
   * the explain stage runs them, 3,612 against 3,569, where the default took 3,773; on one
   * thread 1,726 against 1,651, the default 1,814.
   */
  double[] pathGradientsOnHost(PathPoints paths, int[] playerOfColumn, int players) {
    paths.check(inputWidth, outputWidth);
    int count = paths.count();
    if (count == 0) {
      return new double[0];
    }
    int callRows = Math.max(count, MIN_CALL_ROWS);
    PathArithmetic arithmetic = PathArithmetic.of(paths, inputWidth);
    return withGradients(scope -> {
      NDArray host = scope.create(new Shape(inputShape.ofBatch(callRows)), DataType.FLOAT32, Device.cpu());
      FloatBuffer values = host.toByteBuffer(true).asFloatBuffer();
      arithmetic.writePoints(values);
      for (int r = count; r < callRows; r++) {
        values.put(r * inputWidth, values, 0, inputWidth);
      }
      NDArray x = host.toType(inputType, false);
      x.setRequiresGradient(true);
      backward(scope, outputs(x, true), padded(paths.targets(), count, callRows), count, null);
      return arithmetic.sums(floats(x.getGradient()), playerOfColumn, players);
    });
  }

  /**
   * {@link #pathGradients}, with the points, their steps and the per-player sums built by libtorch
   * around the gradient call, where the model runs: on a GPU the JVM then sends the call a few
   * indices per point instead of the points, and gets back a sum per player instead of a gradient
   * per column, and one CPU core per task no longer builds and reduces every point (about 2.5 ns
   * per value on the CPU above). Not yet measured on a GPU. A point is computed in float64 by the
   * same two operations as the default's, so the model sees the same float32 rows. A player's sum
   * is the difference of a running sum over the point's products, taken in player order, at the
   * player's last and first columns: a scan along each point alone, so a point's sums do not
   * depend on the call's other points, though they round differently from the default's
   * column-order sums.
   */
  double[] pathGradientsInLibtorch(PathPoints paths, int[] playerOfColumn, int players) {
    paths.check(inputWidth, outputWidth);
    int count = paths.count();
    if (count == 0) {
      return new double[0];
    }
    int callRows = Math.max(count, MIN_CALL_ROWS);
    PlayerColumns columns = PlayerColumns.of(playerOfColumn, players);
    return withGradients(scope -> {
      // Each float64 intermediate is freed as soon as the next step has used it, so that the
      // call needs little more memory than the model's own gradient call of as many rows.
      NDArray start = doublesOf(scope, paths.starts()).get(new NDIndex("{}", scope.create(padded(paths.startOf(), count, callRows))));
      NDArray step = doublesOf(scope, paths.ends()).get(new NDIndex("{}", scope.create(padded(paths.endOf(), count, callRows))))
          .subi(start);
      double[] alphas = new double[callRows];
      for (int k = 0; k < callRows; k++) {
        alphas[k] = paths.alphas()[k < count ? k : 0];
      }
      NDArray point = hostTensor(scope, alphas, new Shape(callRows, 1)).mul(step).addi(start);
      start.close();
      NDArray x = point.toType(DataType.FLOAT32, false).toType(inputType, false)
          .reshape(new Shape(inputShape.ofBatch(callRows)));
      point.close();
      x.setRequiresGradient(true);
      backward(scope, outputs(x, true), padded(paths.targets(), count, callRows), count, null);
      NDArray products = x.getGradient().reshape(callRows, inputWidth)
          .toType(DataType.FLOAT32, false).toType(DataType.FLOAT64, false).muli(step);
      step.close();
      if (columns.order() != null) {
        NDArray ordered = products.get(new NDIndex(":, {}", scope.create(columns.order())));
        products.close();
        products = ordered;
      }
      NDArray cumulative = products.cumSum(1);
      products.close();
      NDArray running = scope.zeros(new Shape(callRows, 1), DataType.FLOAT64).concat(cumulative, 1);
      cumulative.close();
      NDArray sums = running.get(new NDIndex(":, {}", scope.create(columns.upper())))
          .sub(running.get(new NDIndex(":, {}", scope.create(columns.lower()))));
      double[] out = new double[count * players];
      sums.toByteBuffer(true).asDoubleBuffer().get(out);
      return out;
    });
  }

  /**
   * Where each player's columns lie once the columns are put in player order (stable): player q
   * holds sorted positions {@code lower[q]} to {@code upper[q] - 1}, which are the running sum's
   * columns {@code lower[q]} and {@code upper[q]} once a zero column leads it.
   *
   * @param order the columns in player order; null when they already are
   */
  private record PlayerColumns(long[] order, long[] lower, long[] upper) {

    static PlayerColumns of(int[] playerOfColumn, int players) {
      long[] upper = new long[players];
      for (int player : playerOfColumn) {
        upper[player]++;
      }
      long[] lower = new long[players];
      for (int q = 0, position = 0; q < players; q++) {
        lower[q] = position;
        position += (int) upper[q];
        upper[q] = position;
      }
      long[] order = new long[playerOfColumn.length];
      long[] next = lower.clone();
      boolean sorted = true;
      for (int c = 0; c < playerOfColumn.length; c++) {
        int position = (int) next[playerOfColumn[c]]++;
        order[position] = c;
        sorted &= position == c;
      }
      return new PlayerColumns(sorted ? null : order, lower, upper);
    }
  }

  /**
   * Runs {@code call} in a scope of its own with libtorch's grad mode on. Grad mode is per thread
   * in libtorch (and the engine turns it off on the thread that starts it), so this affects only
   * this call; the old value goes back for whoever else uses the thread.
   */
  private <T> T withGradients(Function<NDManager, T> call) {
    callLock.lock();
    try {
      boolean gradMode = JniUtils.isGradMode();
      JniUtils.setGradMode(true);
      try (NDManager scope = openScope()) {
        return call.apply(scope);
      } finally {
        JniUtils.setGradMode(gradMode);
      }
    } finally {
      callLock.unlock();
    }
  }

  /**
   * Backward from each row's target output of {@code outputs} (transformed), writing the first
   * {@code rows} selected values to {@code targetOutputs} when it is not null. Rows are
   * independent, so one backward of every row's selected output (seeded with ones) gives each row
   * its own gradient. No GradientCollector: DJL allows one per JVM.
   */
  private void backward(NDManager scope, NDArray outputs, long[] index, int rows, float[] targetOutputs) {
    NDArray selected = transform.apply(outputs).gather(scope.create(index, new Shape(index.length, 1)), 1);
    JniUtils.backward(
        (PtNDArray) selected, (PtNDArray) scope.ones(selected.getShape(), selected.getDataType()), false, false);
    if (targetOutputs != null) {
      floats(selected).get(targetOutputs, 0, rows);
    }
  }

  /**
   * The model split at its last convolution, for Grad-CAM: a TorchScript module that exports two
   * methods besides {@code forward}, {@code activations(x)} returning the last convolution's
   * activations {@code [rows, channels, height, width]} and {@code from_activations(a)} mapping
   * them to the outputs, so that {@code forward(x) == from_activations(activations(x))}.
   *
   * @throws IllegalArgumentException naming the contract when the module does not export both
   */
  public ActivationModel activationModel() {
    List<Integer> shape;
    callLock.lock();
    try (NDManager scope = openScope()) {
      NDArray a = runMethod(scope, ACTIVATIONS, tensorOf(scope, new float[inputWidth], 1, 1), false);
      NDArray outputs = runMethod(scope, FROM_ACTIVATIONS, a, false);
      if (a.getShape().dimension() != 4 || outputs.getShape().size() != outputWidth) {
        throw new IllegalArgumentException("Cannot use model " + name + " for Grad-CAM: " + ACTIVATIONS
            + "(x) must give [rows, channels, height, width] and " + FROM_ACTIVATIONS + "(a) the model's "
            + outputWidth + " outputs; they gave " + a.getShape() + " and " + outputs.getShape());
      }
      shape = List.of((int) a.getShape().get(1), (int) a.getShape().get(2), (int) a.getShape().get(3));
    } catch (EngineException e) {
      throw new IllegalArgumentException("Cannot use model " + name + " for Grad-CAM: it needs a TorchScript module"
          + " exporting " + ACTIVATIONS + "(x), the last convolution's activations, and " + FROM_ACTIVATIONS
          + "(a), the outputs from them (@torch.jit.export); calling them failed: " + reason(e), e);
    } finally {
      callLock.unlock();
    }
    return new Activations(shape);
  }

  /** The name of the Grad-CAM method giving the last convolution's activations. */
  public static final String ACTIVATIONS = "activations";
  /** The name of the Grad-CAM method mapping activations to outputs. */
  public static final String FROM_ACTIVATIONS = "from_activations";

  /**
   * Calls one of the module's exported methods. DJL's {@code IValueUtils.runMethod} never records
   * the graph; its {@code forward} does when asked, and calls the method that an array named
   * {@code module_method:<name>} in the list names.
   */
  private NDArray runMethod(NDManager scope, String method, NDArray input, boolean recordGraph) {
    NDArray selector = scope.zeros(new Shape(1));
    selector.setName("module_method:" + method);
    return IValueUtils.forward(block, new NDList(input, selector), recordGraph).get(0);
  }

  /** Grad-CAM's view of this model. */
  private final class Activations implements ActivationModel {
    private final List<Integer> shape;
    private final int width;

    Activations(List<Integer> shape) {
      this.shape = shape;
      this.width = shape.get(0) * shape.get(1) * shape.get(2);
    }

    @Override
    public List<Integer> inputShape() {
      return inputShape.dimensions();
    }

    @Override
    public List<Integer> activationShape() {
      return shape;
    }

    @Override
    public float[] activations(float[] inputs, int rows) {
      checkInputs(inputs, rows);
      int callRows = Math.max(rows, MIN_CALL_ROWS);
      callLock.lock();
      try (NDManager scope = openScope()) {
        return floatsOf(runMethod(scope, ACTIVATIONS, tensorOf(scope, inputs, rows, callRows), false), rows * width);
      } finally {
        callLock.unlock();
      }
    }

    @Override
    public float[] activationGradient(float[] activations, int rows, int[] targets, float[] targetOutputs) {
      checkTargets(targets, rows, targetOutputs);
      int callRows = Math.max(rows, MIN_CALL_ROWS);
      return withGradients(scope -> {
        NDArray a = tensorOf(scope, activations, rows, callRows, new InputShape(shape));
        a.setRequiresGradient(true);
        backward(scope, runMethod(scope, FROM_ACTIVATIONS, a, true).reshape(callRows, outputWidth),
            padded(targets, rows, callRows), rows, targetOutputs);
        return floatsOf(a.getGradient(), rows * width);
      });
    }
  }

  /**
   * The rows as a tensor that libtorch allocates and frees with the scope. DJL's {@code
   * create(float[])} would stage every call's rows in a fresh direct buffer that only a later
   * garbage collection frees: with calls of tens of MB and little other garbage, those pile up
   * between collections and each new one maps fresh pages (up to 65% of a model-only run's CPU
   * went to the kernel). A float64 model gets the float32 rows converted by libtorch, exactly.
   */
  private NDArray tensorOf(NDManager scope, float[] inputs, int rows, int callRows) {
    return tensorOf(scope, inputs, rows, callRows, inputShape);
  }

  /** Rows of any shape (the inputs, or Grad-CAM's activations) as a tensor, as {@link #tensorOf} does. */
  private NDArray tensorOf(NDManager scope, float[] inputs, int rows, int callRows, InputShape rowShape) {
    int width = rowShape.width();
    Shape shape = new Shape(rowShape.ofBatch(callRows));
    // Writing through the byte view only reaches the tensor's own memory on the CPU.
    NDArray host = scope.create(shape, DataType.FLOAT32, Device.cpu());
    FloatBuffer values = host.toByteBuffer(true).asFloatBuffer();
    values.put(inputs, 0, rows * width);
    for (int r = rows; r < callRows; r++) {
      values.put(inputs, 0, width);
    }
    return onDevice(scope, host).toType(inputType, false);
  }

  /** Rows of float64 values, {@code inputWidth} each, as {@link #tensorOf} makes the float32 inputs. */
  private NDArray doublesOf(NDManager scope, double[] rows) {
    return hostTensor(scope, rows, new Shape(rows.length / inputWidth, inputWidth));
  }

  /** {@code values} as a float64 tensor of that shape, on the scope's device. */
  private static NDArray hostTensor(NDManager scope, double[] values, Shape shape) {
    NDArray host = scope.create(shape, DataType.FLOAT64, Device.cpu());
    host.toByteBuffer(true).asDoubleBuffer().put(values, 0, Math.toIntExact(shape.size()));
    return onDevice(scope, host);
  }

  private static NDArray onDevice(NDManager scope, NDArray host) {
    Device device = scope.getDevice();
    return device.isGpu() ? host.toDevice(device, false) : host;
  }

  /**
   * The first {@code rows} values (each row's target, or a path point's row index), then the first
   * one again for each padding row.
   */
  private static long[] padded(int[] values, int rows, int callRows) {
    long[] padded = new long[callRows];
    for (int r = 0; r < callRows; r++) {
      padded[r] = values[r < rows ? r : 0];
    }
    return padded;
  }

  /**
   * The first {@code count} of the tensor's values, copied once from its memory (DJL's
   * toFloatArray copies twice); the rest are padding rows'.
   */
  private static float[] floatsOf(NDArray array, int count) {
    float[] out = new float[count];
    floats(array).get(out);
    return out;
  }

  /**
   * The tensor's values as float32: read in place when they are, else from a float32 copy (a
   * float64 model's outputs and input gradients), rounded to nearest as a Java cast would.
   */
  private static FloatBuffer floats(NDArray array) {
    return array.toType(DataType.FLOAT32, false).toByteBuffer(true).asFloatBuffer();
  }

  private NDManager openScope() {
    if (closed) {
      throw new IllegalStateException("Cannot run model " + name + ": it is closed");
    }
    return model.getNDManager().newSubManager();
  }

  /**
   * The raw outputs of {@code x} as {@code [rows, outputWidth]}, in float32 or float64: the
   * transform runs in the outputs' dtype, and DJL's half-precision softmax and sigmoid would
   * need dtypes its PyTorch binding cannot name (bfloat16), so narrower outputs are widened.
   *
   * @param recordGraph whether to record the graph for backward; either way the module stays
   *     in eval mode, unlike {@code Block.forward(..., training=true)}, which switches it to
   *     train mode
   */
  private NDArray outputs(NDArray x, boolean recordGraph) {
    NDArray output;
    try {
      output = IValueUtils.forward(block, new NDList(x), recordGraph).get(0);
    } catch (EngineException e) {
      throw new IllegalStateException("Cannot run model " + name + ": " + reason(e), e);
    }
    DataType type = output.getDataType();
    if (type != DataType.FLOAT32 && type != DataType.FLOAT64) {
      // Widened by type promotion, a product with a float32 one, because DJL's toType records
      // no gradient. Exact: every float16 and bfloat16 value is a float32 value.
      output = output.mul(x.getManager().ones(new Shape(1, 1)));
    }
    long rows = x.getShape().get(0);
    Shape shape = output.getShape();
    if (shape.dimension() == 1 && outputWidth == 1 && shape.get(0) == rows) {
      return output.reshape(rows, 1);
    }
    if (shape.dimension() != 2 || shape.get(0) != rows || shape.get(1) != outputWidth) {
      throw new IllegalStateException(
          "Cannot run model " + name + ": expected output shape (" + rows + ", " + outputWidth
              + ") for " + rows + " rows, got " + shape);
    }
    return output;
  }

  private void checkInputs(float[] inputs, int rows) {
    if (rows < 0 || inputs.length != (long) rows * inputWidth) {
      throw new IllegalArgumentException(
          "Cannot run model " + name + ": expected input width " + inputWidth + ", got "
              + inputs.length + " values for " + rows + " rows");
    }
  }

  private void checkTargets(int[] targets, int rows, float[] targetOutputs) {
    if (targets.length < rows) {
      throw new IllegalArgumentException(
          "Cannot run model " + name + ": expected a target for each of " + rows + " rows, got "
              + targets.length);
    }
    for (int r = 0; r < rows; r++) {
      if (targets[r] < 0 || targets[r] >= outputWidth) {
        throw new IllegalArgumentException(
            "Cannot run model " + name + ": target " + targets[r] + " of row " + r
                + " is outside [0, " + outputWidth + ")");
      }
    }
    if (targetOutputs != null && targetOutputs.length < rows) {
      throw new IllegalArgumentException(
          "Cannot run model " + name + ": targetOutputs holds " + targetOutputs.length
              + " values, need " + rows);
    }
  }

  /** Frees the native model once no call is running; later calls fail. Idempotent. */
  @Override
  public void close() {
    closeLock.lock();
    try {
      if (!closed) {
        closed = true;
        model.close();
      }
    } finally {
      closeLock.unlock();
    }
  }

  @Override
  public String toString() {
    return "TorchScriptModel[" + name + ", " + transform.id() + ", " + inputWidth + " -> "
        + outputWidth + "]";
  }

  /**
   * The last line of an engine error: TorchScript prepends its interpreter tracebacks, which
   * stay available in the cause, and ends with the actual error.
   */
  private static String reason(Exception e) {
    String message = String.valueOf(e.getMessage()).strip();
    String last = message.substring(message.lastIndexOf('\n') + 1).strip();
    return last.startsWith("RuntimeError: ") ? last.substring("RuntimeError: ".length()) : last;
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // Only a leftover temporary file; the model is already loaded or its error reported.
      path.toFile().deleteOnExit();
    }
  }
}
