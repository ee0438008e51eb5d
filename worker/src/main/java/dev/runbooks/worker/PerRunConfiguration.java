package dev.runbooks.worker;

import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Activities that follow edits of {@code runbooks.yaml} without a worker restart, one consistent
 * version per run. The worker registers a proxy per activity interface; a run's first activity
 * takes the configuration as the file is then ({@link ConfigSource#current()}), and every later
 * activity of that run uses the same version, even when the file is edited meanwhile: a run never
 * mixes two versions. Each version's activity objects are built once, by {@code build}.
 *
 * <p>A file that no longer loads fails the runs that start after the edit, non-retryable {@code
 * BAD_INPUT} with the loader's message; the worker keeps serving, and runs already going keep their
 * version. The pins live in this worker's memory: after a restart a run in flight takes the file as
 * it is then (its first step's detail still names the digest it started with).
 */
final class PerRunConfiguration {
  /** Runs remembered; the oldest is forgotten first (a run's activities are close together). */
  private static final int RUNS_KEPT = 10_000;

  /** Versions whose activity objects are kept: the current one and a few a long run may hold. */
  private static final int VERSIONS_KEPT = 8;

  /** One version's activity objects. */
  record Generation(ConfigSource.Version version, List<Object> implementations) {
    Object implementing(Class<?> activityInterface) {
      for (Object implementation : implementations) {
        if (activityInterface.isInstance(implementation)) {
          return implementation;
        }
      }
      throw new IllegalStateException(
          "no " + activityInterface.getSimpleName() + " for " + version.describe());
    }
  }

  private final ConfigSource source;
  private final Function<ConfigSource.Version, List<Object>> build;
  private final Map<String, Generation> byDigest = bounded(VERSIONS_KEPT);
  private final Map<String, Generation> byRun = bounded(RUNS_KEPT);

  private PerRunConfiguration(
      ConfigSource source, Function<ConfigSource.Version, List<Object>> build) {
    this.source = source;
    this.build = build;
  }

  /**
   * One proxy per activity interface the objects {@code build} makes implement, built first for the
   * version {@code source} was loaded with, so a broken configuration still stops the start.
   */
  static List<Object> proxies(
      ConfigSource source, Function<ConfigSource.Version, List<Object>> build) {
    PerRunConfiguration runs = over(source, build);
    Set<Class<?>> interfaces = new LinkedHashSet<>();
    for (Object implementation : runs.forVersion(source.latest()).implementations()) {
      collect(implementation.getClass(), interfaces);
    }
    List<Object> proxies = new ArrayList<>();
    for (Class<?> activityInterface : interfaces) {
      proxies.add(
          Proxy.newProxyInstance(
              PerRunConfiguration.class.getClassLoader(),
              new Class<?>[] {activityInterface},
              runs.handler(activityInterface)));
    }
    return proxies;
  }

  /**
   * Pins over {@code source}, with the activity objects of the version it was loaded with built
   * now, so a configuration that cannot be used stops the worker's start with its {@link
   * ConfigException}.
   */
  static PerRunConfiguration over(
      ConfigSource source, Function<ConfigSource.Version, List<Object>> build) {
    PerRunConfiguration runs = new PerRunConfiguration(source, build);
    ConfigSource.Version first = source.latest();
    runs.byDigest.put(first.digest(), new Generation(first, List.copyOf(build.apply(first))));
    return runs;
  }

  private static void collect(Class<?> type, Set<Class<?>> into) {
    for (Class<?> i : type.getInterfaces()) {
      if (i.isAnnotationPresent(ActivityInterface.class)) {
        into.add(i);
      }
      collect(i, into);
    }
    if (type.getSuperclass() != null) {
      collect(type.getSuperclass(), into);
    }
  }

  private InvocationHandler handler(Class<?> activityInterface) {
    return (proxy, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return objectMethod(proxy, method, args, activityInterface);
      }
      Object target =
          forRun(Activity.getExecutionContext().getInfo().getWorkflowRunId())
              .implementing(activityInterface);
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
  }

  private static Object objectMethod(
      Object proxy, Method method, Object[] args, Class<?> activityInterface) {
    return switch (method.getName()) {
      case "equals" -> proxy == args[0];
      case "hashCode" -> System.identityHashCode(proxy);
      default -> "PerRunConfiguration[" + activityInterface.getSimpleName() + "]";
    };
  }

  /** The version run {@code runId} uses: the one it first took, else the file's now. */
  Generation forRun(String runId) {
    synchronized (byRun) {
      Generation pinned = byRun.get(runId);
      if (pinned != null) {
        return pinned;
      }
    }
    ConfigSource.Version now;
    try {
      now = source.current();
    } catch (ConfigException e) {
      throw FailureType.BAD_INPUT.failure(
          "the worker's configuration no longer loads since it was edited, so this run did not"
              + " start: "
              + e.getMessage()
              + " Runs that started before the edit keep the version they began with ("
              + source.latest().describe()
              + "). Fix the file and start the run again; the worker picks the file up without a"
              + " restart.");
    }
    Generation generation = forVersion(now);
    synchronized (byRun) {
      Generation raced = byRun.putIfAbsent(runId, generation);
      return raced != null ? raced : generation;
    }
  }

  private Generation forVersion(ConfigSource.Version version) {
    synchronized (byDigest) {
      Generation known = byDigest.get(version.digest());
      if (known != null) {
        return known;
      }
    }
    Generation built;
    try {
      built = new Generation(version, List.copyOf(build.apply(version)));
    } catch (ConfigException e) {
      throw FailureType.BAD_INPUT.failure(
          "the worker's configuration "
              + version.describe()
              + " cannot be used, so this run did not start: "
              + e.getMessage());
    }
    synchronized (byDigest) {
      Generation raced = byDigest.putIfAbsent(version.digest(), built);
      return raced != null ? raced : built;
    }
  }

  private static <V> Map<String, V> bounded(int capacity) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > capacity;
      }
    };
  }
}
