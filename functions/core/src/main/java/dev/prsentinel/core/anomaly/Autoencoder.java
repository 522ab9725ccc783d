package dev.prsentinel.core.anomaly;

import java.util.List;

/**
 * The dense autoencoder's forward pass in plain Java over float arrays, the scoring hot path: no
 * engine and no native code (STACK-NOTES measured 1.5-2 us a call here for a net of this size,
 * against about 100 us through DJL). Float32 multiply-adds like DJL's; a parity test holds the two
 * within 1e-5.
 */
public final class Autoencoder {

    private final List<DenseLayer> layers;
    private final int width;

    public Autoencoder(List<DenseLayer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("no layers");
        }
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).in() != layers.get(i - 1).out()) {
                throw new IllegalArgumentException("layer " + i + " takes " + layers.get(i).in() + " inputs, layer "
                        + (i - 1) + " gives " + layers.get(i - 1).out());
            }
        }
        if (layers.get(0).in() != layers.get(layers.size() - 1).out()) {
            throw new IllegalArgumentException("an autoencoder's output must be as wide as its input");
        }
        this.layers = List.copyOf(layers);
        this.width = layers.stream().mapToInt(l -> Math.max(l.in(), l.out())).max().orElseThrow();
    }

    public List<DenseLayer> layers() {
        return layers;
    }

    public int inputs() {
        return layers.get(0).in();
    }

    /** The reconstruction of {@code x} (scaled features). */
    public float[] reconstruct(float[] x) {
        float[] a = new float[width];
        float[] b = new float[width];
        System.arraycopy(x, 0, a, 0, x.length);
        for (DenseLayer layer : layers) {
            layer.forward(a, b);
            float[] t = a;
            a = b;
            b = t;
        }
        float[] out = new float[inputs()];
        System.arraycopy(a, 0, out, 0, out.length);
        return out;
    }

    /**
     * Per-feature squared reconstruction errors of {@code x} into {@code errors}; returns their mean,
     * the anomaly score (the same quantity as the MSE training loss).
     */
    public double errors(float[] x, double[] errors) {
        float[] r = reconstruct(x);
        double sum = 0;
        for (int i = 0; i < r.length; i++) {
            double d = (double) r[i] - x[i];
            errors[i] = d * d;
            sum += errors[i];
        }
        return sum / r.length;
    }

    /** Each row's score: its mean squared reconstruction error. */
    public double[] scores(float[][] rows) {
        double[] errors = new double[inputs()];
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = errors(rows[i], errors);
        }
        return out;
    }

    /** The mean score over rows. */
    public double meanError(float[][] rows) {
        double[] errors = new double[inputs()];
        double sum = 0;
        for (float[] row : rows) {
            sum += errors(row, errors);
        }
        return rows.length == 0 ? Double.NaN : sum / rows.length;
    }

    /** The share of rows whose score is above {@code threshold}. */
    public double flaggedFraction(float[][] rows, double threshold) {
        double[] errors = new double[inputs()];
        long flagged = 0;
        for (float[] row : rows) {
            if (errors(row, errors) > threshold) {
                flagged++;
            }
        }
        return rows.length == 0 ? 0 : (double) flagged / rows.length;
    }
}
