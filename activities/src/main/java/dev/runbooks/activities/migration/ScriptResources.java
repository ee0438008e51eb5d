package dev.runbooks.activities.migration;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * The versioned migrations Flyway sees: the {@code V*.sql} files at the top of the directory only.
 * Flyway's own filesystem scan would also descend into {@code verify/}, whose {@code
 * V<version>__*.sql} scripts are checks, not migrations. The names Flyway records are the same as
 * its own scan records (the file name), so checksums and history agree with plain {@code flyway}.
 */
final class ScriptResources implements ResourceProvider {
  private final List<LoadableResource> resources;

  ScriptResources(MigrationScripts scripts) {
    List<LoadableResource> all = new ArrayList<>();
    for (MigrationScripts.Script s : scripts.all()) {
      all.add(new FileResource(s.up()));
    }
    this.resources = List.copyOf(all);
  }

  @Override
  public LoadableResource getResource(String name) {
    for (LoadableResource r : resources) {
      if (r.getRelativePath().equals(name)) {
        return r;
      }
    }
    return null;
  }

  @Override
  public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
    List<LoadableResource> found = new ArrayList<>();
    for (LoadableResource r : resources) {
      String name = r.getFilename();
      if (!name.startsWith(prefix)) {
        continue;
      }
      for (String suffix : suffixes) {
        if (name.endsWith(suffix)) {
          found.add(r);
          break;
        }
      }
    }
    return found;
  }

  private static final class FileResource extends LoadableResource {
    private final Path file;

    FileResource(Path file) {
      this.file = file;
    }

    @Override
    public Reader read() {
      try {
        return Files.newBufferedReader(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read migration " + file, e);
      }
    }

    @Override
    public String getAbsolutePath() {
      return file.toString();
    }

    @Override
    public String getAbsolutePathOnDisk() {
      return file.toString();
    }

    @Override
    public String getFilename() {
      return file.getFileName().toString();
    }

    @Override
    public String getRelativePath() {
      return getFilename();
    }
  }
}
