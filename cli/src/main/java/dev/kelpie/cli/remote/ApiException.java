package dev.kelpie.cli.remote;

/** The coordinator said no ({@code status} and {@code code} as in its error body), or could not be reached (0). */
public final class ApiException extends Exception {

  private final int status;
  private final String code;

  public ApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  /** One line for a person: "403 forbidden: operators only" or "cannot reach http://...". */
  public String sentence() {
    return status == 0 ? getMessage() : status + " " + code + ": " + getMessage();
  }
}
