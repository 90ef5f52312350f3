package dev.kelpie.shared.message;

/** A message whose JSON form is missing a field or has one of the wrong type; names the field. */
public final class MessageFormatException extends RuntimeException {

  private final String field;

  public MessageFormatException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
