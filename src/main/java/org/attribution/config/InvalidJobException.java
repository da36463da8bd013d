package org.attribution.config;

/**
 * The job as given cannot run: a bad job file, a missing column, a model that does not fit the
 * configuration. Raised before any Spark stage where possible; the command line maps it to exit
 * code 2 and prints only its message, which always reads "Cannot &lt;do X&gt;: &lt;reason&gt;".
 */
public class InvalidJobException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public InvalidJobException(String message) {
    super(message);
  }

  public InvalidJobException(String message, Throwable cause) {
    super(message, cause);
  }
}
