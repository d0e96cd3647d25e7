package io.gantry.loadtest.apiserver;

/**
 * A Kubernetes API URL taken apart: {@code /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]} or
 * {@code /apis/{group}/{version}/...}. {@code name} and {@code subresource} are null for a collection.
 */
record ApiPath(ResourceType type, String namespace, String name, String subresource) {

    /** Parses the path; an unknown resource is a 404 naming it. */
    static ApiPath parse(String path) {
        int end = path.length();
        while (end > 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        String[] parts = path.substring(0, end).split("/");
        // parts[0] is "" (leading slash)
        int i;
        String group;
        String version;
        if (parts.length >= 3 && parts[1].equals("api")) {
            group = "";
            version = parts[2];
            i = 3;
        } else if (parts.length >= 4 && parts[1].equals("apis")) {
            group = parts[2];
            version = parts[3];
            i = 4;
        } else {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource: " + path);
        }
        String namespace = null;
        int rest = parts.length - i;
        if (rest >= 3 && parts[i].equals("namespaces")) {
            namespace = parts[i + 1];
            i += 2;
            rest -= 2;
        }
        if (rest < 1 || rest > 3) {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource: " + path);
        }
        String plural = parts[i];
        if (plural.equals("bindings") && namespace != null && rest == 1) {
            return new ApiPath(null, namespace, null, "bindings");
        }
        ResourceType type = ResourceType.find(group, version, plural).orElseThrow(() -> new ApiException(404,
                "NotFound", "this API server does not serve " + (group.isEmpty() ? "" : group + "/") + version + "/"
                + plural + " (it serves " + String.join(", ", ResourceType.ALL.stream()
                        .map(t -> t.apiVersion() + "/" + t.plural()).toList()) + ")"));
        if (type.namespaced() && namespace == null && rest > 1) {
            throw ApiException.badRequest(plural + " are namespaced: the URL needs /namespaces/{namespace}/");
        }
        if (!type.namespaced() && namespace != null) {
            throw ApiException.badRequest(plural + " are cluster-scoped: the URL must not name a namespace");
        }
        return new ApiPath(type, namespace, rest >= 2 ? parts[i + 1] : null, rest == 3 ? parts[i + 2] : null);
    }

    boolean isBindingsCollection() {
        return type == null && "bindings".equals(subresource);
    }
}
