package org.attribution.output;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Escaping and number formats shared by the report's HTML and SVG. */
final class ReportFormat {

  /** Shown where a value does not exist, e.g. the standard deviation of one row. */
  static final String NONE = "\u2014";

  private static final MathContext SIGNIFICANT = new MathContext(4);

  private ReportFormat() {}

  /** Escapes text for HTML element content and quoted attribute values alike. */
  static String esc(String text) {
    if (text == null) {
      return NONE;
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A count with thousands separators. */
  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** A count and its noun, plural unless the count is one: "1 row", "9,857 rows". */
  static String counted(long n, String noun) {
    return count(n) + " " + noun + (n == 1 ? "" : "s");
  }

  /**
   * A measurement with 4 significant digits: plain between 0.0001 and 10,000, grouped above,
   * scientific below, where a plain form would be a string of zeros.
   */
  static String num(double v) {
    if (Double.isNaN(v)) {
      return NONE;
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "\u221e" : "-\u221e";
    }
    double a = Math.abs(v);
    if (a == 0) {
      return "0";
    }
    if (a >= 1e4) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 1e-4) {
      return new BigDecimal(v).round(SIGNIFICANT).stripTrailingZeros().toPlainString();
    }
    String[] parts = String.format(Locale.ROOT, "%.3e", v).split("e");
    String mantissa = new BigDecimal(parts[0]).stripTrailingZeros().toPlainString();
    return mantissa + "e" + Integer.parseInt(parts[1]);
  }

  /** {@link #num} with an explicit sign, for changes. */
  static String signed(double v) {
    return v > 0 ? "+" + num(v) : num(v);
  }

  /** A share in [0, 1] as a percentage with one decimal. */
  static String percent(double share) {
    if (!Double.isFinite(share)) {
      return NONE;
    }
    double p = share * 100;
    if (p == 0) {
      return "0%";
    }
    if (Math.abs(p) < 0.1) {
      return (p > 0 ? "<" : ">-") + "0.1%";
    }
    return String.format(Locale.ROOT, "%,.1f%%", p);
  }

  /** {@link #percent} with an explicit sign, for relative changes. */
  static String signedPercent(double share) {
    return share > 0 && Double.isFinite(share) ? "+" + percent(share) : percent(share);
  }
}
