/**
 * How far to trust an explanation: selectivity (deletion and insertion curves), continuity
 * (max-sensitivity) and faithfulness (infidelity) of one row's attributions, measured against the
 * model itself. Knows only {@link org.attribution.model.ModelFunction}, {@link
 * org.attribution.method.AttributionMethod} and arrays, like the methods it measures.
 */
package org.attribution.quality;
