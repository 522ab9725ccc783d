package dev.prsentinel.train.bench;

import java.util.Arrays;
import java.util.Collections;

/** How well scores rank anomalies above normal rows: ROC-AUC and PR-AUC (average precision), ties counted once. */
final class Ranking {

    private Ranking() {
    }

    /**
     * The probability that a random anomaly scores above a random normal row, a tie counting half
     * (the Mann-Whitney U statistic over the product of the two counts).
     */
    static double rocAuc(double[] normal, double[] anomalous) {
        double[] all = concat(normal, anomalous);
        Integer[] order = order(all);
        double anomalousRanks = 0;
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j < order.length && all[order[j]] == all[order[i]]) {
                j++;
            }
            double rank = (i + 1 + j) / 2.0;
            for (int k = i; k < j; k++) {
                if (order[k] >= normal.length) {
                    anomalousRanks += rank;
                }
            }
            i = j;
        }
        double n = anomalous.length;
        return (anomalousRanks - n * (n + 1) / 2) / (n * normal.length);
    }

    /**
     * Average precision: the precision at each distinct score, from the highest down, weighted by
     * the recall it adds. Rows with equal scores enter together, so a tie is not broken in the
     * model's favour.
     */
    static double averagePrecision(double[] normal, double[] anomalous) {
        double[] all = concat(normal, anomalous);
        Integer[] order = order(all);
        Collections.reverse(Arrays.asList(order));
        double ap = 0;
        long truePositives = 0;
        for (int i = 0; i < order.length; ) {
            int j = i;
            long found = 0;
            while (j < order.length && all[order[j]] == all[order[i]]) {
                found += order[j] >= normal.length ? 1 : 0;
                j++;
            }
            truePositives += found;
            ap += (double) found / anomalous.length * truePositives / j;
            i = j;
        }
        return ap;
    }

    /** The normal scores, then the anomalous ones: an index at or past normal.length is an anomaly. */
    private static double[] concat(double[] normal, double[] anomalous) {
        double[] all = new double[normal.length + anomalous.length];
        System.arraycopy(normal, 0, all, 0, normal.length);
        System.arraycopy(anomalous, 0, all, normal.length, anomalous.length);
        return all;
    }

    /** The indices of {@code all}, lowest score first. */
    private static Integer[] order(double[] all) {
        Integer[] order = new Integer[all.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(all[a], all[b]));
        return order;
    }
}
