package org.attribution.config;

import java.util.List;

/**
 * Settings of a method that compares each row with one baseline vector, chosen as Integrated
 * Gradients chooses it: {@code zeros}, {@code mean} (feature means over the data) or {@code vector}
 * ({@link #baselineValues}, one value per encoded column).
 */
public interface BaselineChoice {

  /** The baseline kind; null when the method's other settings leave it without a baseline. */
  String baseline();

  /** The baseline for {@code vector}, one value per encoded input column; empty otherwise. */
  List<Double> baselineValues();
}
