package dev.runbooks.cli;

import java.util.List;
import java.util.Locale;

/**
 * The ranges of a five-field cron expression's fields. Temporal accepts a schedule it cannot fire
 * (hour 25) or answers with an error only after its retries, so the CLI checks them where the
 * expression enters and names the field and its range.
 */
final class CronFields {
  private record Field(String name, int min, int max, List<String> names) {}

  private static final List<Field> FIELDS =
      List.of(
          new Field("minute", 0, 59, List.of()),
          new Field("hour", 0, 23, List.of()),
          new Field("day-of-month", 1, 31, List.of()),
          new Field(
              "month",
              1,
              12,
              List.of(
                  "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV",
                  "DEC")),
          new Field("day-of-week", 0, 7, List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")));

  private CronFields() {}

  /**
   * @param fields the expression's five fields
   * @throws UsageException naming the first field out of its range
   */
  static void check(String cron, String[] fields) {
    for (int i = 0; i < FIELDS.size(); i++) {
      Field field = FIELDS.get(i);
      for (String part : fields[i].split(",", -1)) {
        String problem = problem(field, part);
        if (problem != null) {
          throw new UsageException(
              "--cron \""
                  + cron
                  + "\": the "
                  + field.name()
                  + " field \""
                  + fields[i]
                  + "\" "
                  + problem
                  + "; "
                  + field.name()
                  + " runs "
                  + field.min()
                  + "-"
                  + field.max()
                  + (field.names().isEmpty()
                      ? ""
                      : " or " + field.names().get(0) + "-" + last(field))
                  + ", with *, lists (1,15), ranges (1-5) and steps (*/15).");
        }
      }
    }
  }

  private static String last(Field field) {
    return field.names().get(field.names().size() - 1);
  }

  /** What is wrong with one comma-separated part, or null. */
  private static String problem(Field field, String part) {
    String range = part;
    int slash = part.indexOf('/');
    if (slash >= 0) {
      range = part.substring(0, slash);
      Integer step = number(part.substring(slash + 1));
      if (step == null || step < 1) {
        return "has the step \"" + part.substring(slash + 1) + "\", not a positive number";
      }
    }
    if (range.equals("*") || range.equals("?")) {
      return null;
    }
    String[] ends = range.split("-", -1);
    if (ends.length > 2) {
      return "has the range \"" + range + "\"";
    }
    for (String end : ends) {
      Integer value = value(field, end);
      if (value == null) {
        return "has \"" + end + "\", which is not a " + field.name();
      }
      if (value < field.min() || value > field.max()) {
        return "has " + value + ", out of range";
      }
    }
    return null;
  }

  private static Integer value(Field field, String text) {
    int named = field.names().indexOf(text.toUpperCase(Locale.ROOT));
    if (named >= 0) {
      return named + (field.min() == 1 ? 1 : 0);
    }
    return number(text);
  }

  private static Integer number(String text) {
    if (!text.matches("\\d{1,4}")) {
      return null;
    }
    return Integer.parseInt(text);
  }
}
