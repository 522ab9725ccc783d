package dev.prsentinel.featurize.job;

import java.io.Serializable;

/**
 * One partition of the input: the stored PRs whose _id is in [from, to) (null: unbounded).
 *
 * @param from first _id, inclusive, or null
 * @param to   end _id, exclusive, or null
 */
public record KeyRange(String from, String to) implements Serializable {
}
