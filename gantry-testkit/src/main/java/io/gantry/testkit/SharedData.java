package io.gantry.testkit;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The rule for tests that need the project's shared data ({@code ../shared}: the openb traces, the paper's result
 * files): in CI (the environment variable {@code CI} set, e.g. {@code CI=true}) missing data fails the test with the
 * missing path, so a paper-fidelity check never passes by not running; elsewhere the test is skipped, and reported
 * as skipped.
 */
public final class SharedData {

    /** The system property naming the shared folder; the build sets it to {@code ../shared} beside the checkout. */
    public static final String DIR_PROPERTY = "gantry.shared.dir";

    private SharedData() {
    }

    /** The shared folder: {@value #DIR_PROPERTY}, else {@code ../../shared} (a module's folder is the test's cwd). */
    public static Path dir() {
        String property = System.getProperty(DIR_PROPERTY);
        Path dir = property == null || property.isBlank() ? Path.of("../../shared") : Path.of(property);
        return dir.toAbsolutePath().normalize();
    }

    /** {@link #require(Path)} of a path inside the shared folder, e.g. {@code "traces/openb"}. */
    public static Path require(String relative) {
        return require(dir().resolve(relative));
    }

    /** The path if it exists; otherwise fails the test in CI and skips it elsewhere. */
    public static Path require(Path path) {
        return require(path, System.getenv("CI"));
    }

    /**
     * Whether an optional part of the shared data is there. In CI it must be: missing fails the test, as
     * {@link #require} does. Elsewhere a missing file is just false, and the test checks what it has.
     */
    public static boolean present(Path path) {
        return present(path, System.getenv("CI"));
    }

    static Path require(Path path, String ci) {
        requireNonNull(path, "path");
        if (Files.exists(path)) {
            return path;
        }
        Path absolute = path.toAbsolutePath().normalize();
        if (inCi(ci)) {
            throw new AssertionError(missingInCi(absolute));
        }
        return Assumptions.abort("shared data not present at " + absolute + " (skipped outside CI; in CI this fails)");
    }

    static boolean present(Path path, String ci) {
        requireNonNull(path, "path");
        if (Files.exists(path)) {
            return true;
        }
        if (inCi(ci)) {
            throw new AssertionError(missingInCi(path.toAbsolutePath().normalize()));
        }
        return false;
    }

    private static String missingInCi(Path absolute) {
        return "shared data missing: " + absolute + " does not exist. In CI (CI is set) the paper-fidelity tests"
                + " must run: put the shared folder beside the checkout (../shared) or point -D" + DIR_PROPERTY
                + " at it.";
    }

    /** CI is set to anything but empty, "false" or "0". */
    static boolean inCi(String ci) {
        return ci != null && !ci.isBlank() && !ci.trim().equalsIgnoreCase("false") && !ci.trim().equals("0");
    }
}
