package dev.runbooks.workflows.shared;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/** The custom search attributes every run sets, so the Temporal UI can filter on them. */
public final class RunbookSearchAttributes {
  public static final SearchAttributeKey<String> KIND =
      SearchAttributeKey.forKeyword("RunbookKind");
  public static final SearchAttributeKey<String> TARGET =
      SearchAttributeKey.forKeyword("RunbookTarget");
  public static final SearchAttributeKey<String> STEP =
      SearchAttributeKey.forKeyword("RunbookStep");
  public static final SearchAttributeKey<String> INITIATOR =
      SearchAttributeKey.forKeyword("RunbookInitiator");

  /** All of them; each is a Keyword. */
  public static final List<SearchAttributeKey<String>> ALL = List.of(KIND, TARGET, STEP, INITIATOR);

  private RunbookSearchAttributes() {}
}
