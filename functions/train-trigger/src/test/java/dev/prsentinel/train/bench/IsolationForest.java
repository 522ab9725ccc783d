package dev.prsentinel.train.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Isolation Forest (Liu, Ting and Zhou, ICDM 2008), the quality benchmark's second baseline: trees
 * grown on small random subsamples, each split a random feature at a random value between its
 * node's minimum and maximum, to a height of log2(subsample). A row isolated in few splits is
 * anomalous: its score is 2^(-E[h(x)] / c(subsample)), near 1 for anomalies and below 0.5 for
 * normal rows. Written here rather than taken from Smile, whose IsolationForest is GPL-3.0 (and
 * from 4.x on needs a newer Java than the project's): a benchmark baseline should not bring a
 * licence the project does not have.
 */
final class IsolationForest {

    private static final double EULER = 0.5772156649015329;

    /** A tree as arrays: node i splits on feature[i] at value[i], or is a leaf of size[i] rows (feature -1). */
    private record Tree(int[] feature, float[] value, int[] left, int[] right, int[] size) {
    }

    private final List<Tree> trees;
    private final double normalizer;

    private IsolationForest(List<Tree> trees, int subsample) {
        this.trees = trees;
        this.normalizer = averagePath(subsample);
    }

    /** The paper's defaults are 100 trees of 256 rows. */
    static IsolationForest fit(float[][] rows, int treeCount, int subsample, long seed) {
        Random random = new Random(seed);
        int sample = Math.min(subsample, rows.length);
        int heightLimit = (int) Math.ceil(Math.log(sample) / Math.log(2));
        List<Tree> trees = new ArrayList<>(treeCount);
        int[] indices = new int[rows.length];
        for (int t = 0; t < treeCount; t++) {
            for (int i = 0; i < indices.length; i++) {
                indices[i] = i;
            }
            // A partial Fisher-Yates shuffle: the first `sample` indices are a sample without replacement.
            for (int i = 0; i < sample; i++) {
                int j = i + random.nextInt(indices.length - i);
                int swap = indices[i];
                indices[i] = indices[j];
                indices[j] = swap;
            }
            float[][] picked = new float[sample][];
            for (int i = 0; i < sample; i++) {
                picked[i] = rows[indices[i]];
            }
            trees.add(grow(picked, heightLimit, random));
        }
        return new IsolationForest(trees, sample);
    }

    private static Tree grow(float[][] rows, int heightLimit, Random random) {
        List<int[]> nodes = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        build(rows, 0, rows.length, 0, heightLimit, random, nodes, values);
        int n = nodes.size();
        Tree tree = new Tree(new int[n], new float[n], new int[n], new int[n], new int[n]);
        for (int i = 0; i < n; i++) {
            int[] node = nodes.get(i);
            tree.feature()[i] = node[0];
            tree.left()[i] = node[1];
            tree.right()[i] = node[2];
            tree.size()[i] = node[3];
            tree.value()[i] = values.get(i);
        }
        return tree;
    }

    /** Grows the subtree over rows[from, to) (reordered in place); returns its node's index. */
    private static int build(float[][] rows, int from, int to, int depth, int heightLimit, Random random,
            List<int[]> nodes, List<Float> values) {
        int index = nodes.size();
        nodes.add(new int[] {-1, -1, -1, to - from});
        values.add(0f);
        if (to - from <= 1 || depth >= heightLimit) {
            return index;
        }
        int features = rows[from].length;
        // A random feature among those that still vary in this node; none: the node cannot split.
        int[] varying = new int[features];
        float[] min = new float[features];
        float[] max = new float[features];
        int count = 0;
        for (int f = 0; f < features; f++) {
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int r = from; r < to; r++) {
                lo = Math.min(lo, rows[r][f]);
                hi = Math.max(hi, rows[r][f]);
            }
            if (hi > lo) {
                min[count] = lo;
                max[count] = hi;
                varying[count++] = f;
            }
        }
        if (count == 0) {
            return index;
        }
        int pick = random.nextInt(count);
        int feature = varying[pick];
        float split = (float) (min[pick] + random.nextDouble() * (max[pick] - min[pick]));
        int mid = from;
        for (int r = from; r < to; r++) {
            if (rows[r][feature] < split) {
                float[] swap = rows[r];
                rows[r] = rows[mid];
                rows[mid++] = swap;
            }
        }
        if (mid == from || mid == to) {
            return index;
        }
        int left = build(rows, from, mid, depth + 1, heightLimit, random, nodes, values);
        int right = build(rows, mid, to, depth + 1, heightLimit, random, nodes, values);
        nodes.set(index, new int[] {feature, left, right, to - from});
        values.set(index, split);
        return index;
    }

    /** The anomaly score of a row: in (0, 1], higher is more anomalous. */
    double score(float[] row) {
        double total = 0;
        for (Tree tree : trees) {
            int node = 0;
            int depth = 0;
            while (tree.feature()[node] >= 0) {
                node = row[tree.feature()[node]] < tree.value()[node] ? tree.left()[node] : tree.right()[node];
                depth++;
            }
            total += depth + averagePath(tree.size()[node]);
        }
        return Math.pow(2, -(total / trees.size()) / normalizer);
    }

    /** c(n): the average path length of an unsuccessful search in a binary search tree of n rows. */
    static double averagePath(int n) {
        if (n <= 1) {
            return 0;
        }
        if (n == 2) {
            return 1;
        }
        return 2 * (Math.log(n - 1) + EULER) - 2.0 * (n - 1) / n;
    }
}
