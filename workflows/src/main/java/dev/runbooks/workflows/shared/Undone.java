package dev.runbooks.workflows.shared;

/**
 * What a rollback that can tell did: whether it undid anything (a rollback that found nothing to
 * undo is tidying-up, so the run ends FAILED rather than ROLLED_BACK), and a note for the run's
 * outcome, such as which versions it undid and whether the schema is back.
 *
 * @param note null when there is nothing to add
 */
public record Undone(boolean anything, String note) {}
