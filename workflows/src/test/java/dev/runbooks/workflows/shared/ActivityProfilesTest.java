package dev.runbooks.workflows.shared;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.activity.ActivityOptions;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every activity stub of every runbook is bounded: no run waits forever for a missing worker. */
class ActivityProfilesTest {
  /** Every {@code static ActivityOptions} constant of every class in the workflows module. */
  private static List<String> profiles(List<ActivityOptions> into) throws Exception {
    Path classes =
        Path.of(ActivityProfiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String relative = classes.relativize(file).toString();
        String name = relative.substring(0, relative.length() - ".class".length());
        Class<?> type = Class.forName(name.replace('/', '.'), false, getLoader());
        for (Field field : type.getDeclaredFields()) {
          if (Modifier.isStatic(field.getModifiers())
              && field.getType().equals(ActivityOptions.class)) {
            field.setAccessible(true);
            into.add((ActivityOptions) field.get(null));
            names.add(type.getSimpleName() + "." + field.getName());
          }
        }
      }
    }
    return names;
  }

  private static ClassLoader getLoader() {
    return ActivityProfilesTest.class.getClassLoader();
  }

  @Test
  void everyActivityProfileHasAScheduleToCloseBoundThatLeavesRoomForItsRetries() throws Exception {
    List<ActivityOptions> options = new ArrayList<>();
    List<String> names = profiles(options);
    assertTrue(
        names.containsAll(
            List.of(
                "ActivityProfiles.QUICK_SQL",
                "ActivityProfiles.LONG_STREAMING",
                "MigrationProfiles.APPLYING",
                "FailoverProfiles.SWITCHING")),
        "the walk must find the profiles: " + names);
    for (int i = 0; i < options.size(); i++) {
      ActivityOptions profile = options.get(i);
      String name = names.get(i);
      Duration bound = profile.getScheduleToCloseTimeout();
      assertNotNull(bound, name + " has no schedule-to-close timeout: a run could wait forever");
      assertFalse(bound.isZero() || bound.isNegative(), name + ": " + bound);
      Duration attempts =
          profile
              .getStartToCloseTimeout()
              .multipliedBy(profile.getRetryOptions().getMaximumAttempts());
      assertTrue(
          bound.compareTo(attempts) > 0,
          name + ": the bound " + bound + " would cut its retries (" + attempts + ") short");
      assertTrue(
          bound.compareTo(Duration.ofDays(2)) <= 0, name + ": a bound of " + bound + " is none");
    }
  }
}
