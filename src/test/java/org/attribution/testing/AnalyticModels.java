package org.attribution.testing;

import java.util.Arrays;
import org.attribution.model.ModelFunction;

/**
 * Models given by formulas, with their gradients written out, so that attributions have answers
 * checkable by hand. Each computes in double from the float inputs and rounds only its results to
 * float, as the {@link ModelFunction} boundary requires.
 */
public final class AnalyticModels {

  private AnalyticModels() {}

  /**
   * {@code f_j(x) = sum_i w[j][i] x_i + bias[j]}, one output per row of {@code w}.
   *
   * <p>The gradient of output j is {@code w[j]} everywhere, so Integrated Gradients from any
   * baseline b is {@code (x_i - b_i) w[j][i]} under every quadrature rule.
   */
  public static ModelFunction linear(double[][] w, double[] bias) {
    return new Analytic(w[0].length, w.length) {
      @Override
      double value(double[] x, int output) {
        return dot(w[output], x) + bias[output];
      }

      @Override
      void gradient(double[] x, int output, double[] gradient) {
        System.arraycopy(w[output], 0, gradient, 0, gradient.length);
      }
    };
  }

  /**
   * {@code f(x) = x_0 x_1}, one output.
   *
   * <p>On the path {@code b + a (x - b)} the gradient is linear in a, so with {@code m = sum_k w_k
   * alpha_k} (1/2 for any rule exact on linear functions) Integrated Gradients is {@code IG_0 =
   * (x_0 - b_0)(b_1 + m (x_1 - b_1))} and {@code IG_1 = (x_1 - b_1)(b_0 + m (x_0 - b_0))}; with m =
   * 1/2 and a zero baseline, each is {@code x_0 x_1 / 2}.
   */
  public static ModelFunction product() {
    return new Analytic(2, 1) {
      @Override
      double value(double[] x, int output) {
        return x[0] * x[1];
      }

      @Override
      void gradient(double[] x, int output, double[] gradient) {
        gradient[0] = x[1];
        gradient[1] = x[0];
      }
    };
  }

  /**
   * {@code f(x) = sum_i c_i x_i^2}, one output.
   *
   * <p>The gradient {@code 2 c_i x_i} is linear along the path, so with {@code m = sum_k w_k
   * alpha_k}, {@code IG_i = 2 c_i (x_i - b_i)(b_i + m (x_i - b_i))}, which for m = 1/2 is {@code
   * c_i (x_i^2 - b_i^2)}.
   */
  public static ModelFunction quadratic(double[] c) {
    return new Analytic(c.length, 1) {
      @Override
      double value(double[] x, int output) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
          sum += c[i] * x[i] * x[i];
        }
        return sum;
      }

      @Override
      void gradient(double[] x, int output, double[] gradient) {
        for (int i = 0; i < x.length; i++) {
          gradient[i] = 2 * c[i] * x[i];
        }
      }
    };
  }

  /**
   * {@code f_j(x) = exp(w[j] . x)}, one output per row of {@code w}.
   *
   * <p>On the path the gradient of output j is {@code w[j] h(a)} with {@code h(a) = exp(s + a d)},
   * {@code s = w[j] . b} and {@code d = w[j] . (x - b)}, so the exact Integrated Gradients is
   * {@code IG_i = (x_i - b_i) w[j][i] (f_j(x) - f_j(b)) / d}. Every derivative of h is known
   * ({@code h^(m) = d^m h}), which gives the quadrature error bounds in closed form.
   */
  public static ModelFunction exponential(double[][] w) {
    return new Analytic(w[0].length, w.length) {
      @Override
      double value(double[] x, int output) {
        return Math.exp(dot(w[output], x));
      }

      @Override
      void gradient(double[] x, int output, double[] gradient) {
        double scale = Math.exp(dot(w[output], x));
        for (int i = 0; i < gradient.length; i++) {
          gradient[i] = w[output][i] * scale;
        }
      }
    };
  }

  /**
   * Captum's hand-checkable example (captum/testing/helpers/basic_models.py, {@code BasicModel2}):
   * {@code f(x) = ReLU(ReLU(x_0) - 1 - ReLU(x_1))}, one output. At (3, 1) with a zero baseline the
   * inner term is {@code 2a - 1} on the path, so the gradient (1, -1) is on for a > 1/2 only and
   * Integrated Gradients is (1.5, -0.5). At a kink the gradient is taken as 0, as PyTorch does.
   */
  public static ModelFunction captumReluExample() {
    return new Analytic(2, 1) {
      @Override
      double value(double[] x, int output) {
        return relu(relu(x[0]) - 1 - relu(x[1]));
      }

      @Override
      void gradient(double[] x, int output, double[] gradient) {
        boolean on = relu(x[0]) - 1 - relu(x[1]) > 0;
        gradient[0] = on && x[0] > 0 ? 1 : 0;
        gradient[1] = on && x[1] > 0 ? -1 : 0;
      }
    };
  }

  /**
   * {@code f(x) = x_0 x_1 + x_1 x_2 sin(x_3) + exp(x_4) + sum_i c_i x_i}, five inputs, one output:
   * a pairwise interaction, a three-way one through a non-polynomial factor, a non-polynomial
   * main effect and a linear part.
   *
   * <p>Interventional Shapley values are linear in the background, so against a weighted
   * background they are the weighted mean of those against each background row b alone. Against
   * one row, each product term splits by its Harsanyi dividends (each subset U of the term's
   * factors contributes {@code prod_U (u - beta) prod_rest beta}, shared equally by U), with u the
   * factors at x and beta at b. With {@code d = x - b}: the pair gives {@code phi_0 = d_0 (x_1 +
   * b_1) / 2} and the same with 0 and 1 swapped; the triple, with factors {@code u = (x_1, x_2,
   * sin x_3)} and {@code delta = u - beta}, gives factor i {@code delta_i (beta_j beta_k +
   * (delta_j beta_k + beta_j delta_k) / 2 + delta_j delta_k / 3)}, j and k being the other two;
   * {@code exp(x_4)} gives player 4 {@code exp(x_4) - exp(b_4)}; the linear part gives {@code c_i
   * d_i}.
   */
  public static ModelFunction interaction(double[] c) {
    return new Analytic(5, 1) {
      @Override
      double value(double[] x, int output) {
        return x[0] * x[1] + x[1] * x[2] * Math.sin(x[3]) + Math.exp(x[4]) + dot(c, x);
      }

      @Override
      void gradient(double[] x, int output, double[] gradient) {
        gradient[0] = x[1] + c[0];
        gradient[1] = x[0] + x[2] * Math.sin(x[3]) + c[1];
        gradient[2] = x[1] * Math.sin(x[3]) + c[2];
        gradient[3] = x[1] * x[2] * Math.cos(x[3]) + c[3];
        gradient[4] = Math.exp(x[4]) + c[4];
      }
    };
  }

  /**
   * A one-hidden-layer network: {@code f_j(x) = sum_h v[j][h] tanh(w[h] . x + a[h]) + d[j]}, one
   * output per row of {@code v}. Every input interacts with every other through the tanh, so no
   * attribution of it has a simple closed form: it is for checking properties (efficiency,
   * agreement with the Shapley definition, invariances).
   *
   * <p>Gradient: {@code df_j/dx_i = sum_h v[j][h] (1 - tanh^2(w[h] . x + a[h])) w[h][i]}.
   */
  public static ModelFunction tanhNetwork(double[][] w, double[] a, double[][] v, double[] d) {
    return new Analytic(w[0].length, v.length) {
      @Override
      double value(double[] x, int output) {
        double sum = d[output];
        for (int h = 0; h < w.length; h++) {
          sum += v[output][h] * Math.tanh(dot(w[h], x) + a[h]);
        }
        return sum;
      }

      @Override
      void gradient(double[] x, int output, double[] gradient) {
        Arrays.fill(gradient, 0);
        for (int h = 0; h < w.length; h++) {
          double t = Math.tanh(dot(w[h], x) + a[h]);
          double scale = v[output][h] * (1 - t * t);
          for (int i = 0; i < gradient.length; i++) {
            gradient[i] += scale * w[h][i];
          }
        }
      }
    };
  }

  private static double relu(double v) {
    return Math.max(v, 0);
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  /** The batch loops, shared: subclasses give one row's value and gradient in double. */
  private abstract static class Analytic implements ModelFunction {
    private final int inputWidth;
    private final int outputWidth;

    Analytic(int inputWidth, int outputWidth) {
      this.inputWidth = inputWidth;
      this.outputWidth = outputWidth;
    }

    abstract double value(double[] x, int output);

    abstract void gradient(double[] x, int output, double[] gradient);

    @Override
    public int inputWidth() {
      return inputWidth;
    }

    @Override
    public int outputWidth() {
      return outputWidth;
    }

    @Override
    public float[] forward(float[] inputs, int rows) {
      float[] outputs = new float[rows * outputWidth];
      double[] x = new double[inputWidth];
      for (int r = 0; r < rows; r++) {
        row(inputs, r, x);
        for (int j = 0; j < outputWidth; j++) {
          outputs[r * outputWidth + j] = (float) value(x, j);
        }
      }
      return outputs;
    }

    @Override
    public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
      float[] gradients = new float[rows * inputWidth];
      double[] x = new double[inputWidth];
      double[] g = new double[inputWidth];
      for (int r = 0; r < rows; r++) {
        row(inputs, r, x);
        gradient(x, targets[r], g);
        for (int i = 0; i < inputWidth; i++) {
          gradients[r * inputWidth + i] = (float) g[i];
        }
        if (targetOutputs != null) {
          targetOutputs[r] = (float) value(x, targets[r]);
        }
      }
      return gradients;
    }

    private void row(float[] inputs, int r, double[] x) {
      for (int i = 0; i < inputWidth; i++) {
        x[i] = inputs[r * inputWidth + i];
      }
    }
  }
}
