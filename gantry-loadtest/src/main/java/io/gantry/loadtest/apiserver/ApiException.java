package io.gantry.loadtest.apiserver;

/** A request the API server answers with an error status: the HTTP code, the Status reason and a message. */
public final class ApiException extends RuntimeException {

    private final int code;
    private final String reason;

    public ApiException(int code, String reason, String message) {
        super(message);
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", type.plural() + " \"" + name + "\" not found");
    }

    static ApiException conflict(String message) {
        return new ApiException(409, "Conflict", message);
    }

    static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", type.plural() + " \"" + name + "\" already exists");
    }

    static ApiException unsupportedMediaType(String message) {
        return new ApiException(415, "UnsupportedMediaType", message);
    }

    static ApiException invalid(String message) {
        return new ApiException(422, "Invalid", message);
    }
}
