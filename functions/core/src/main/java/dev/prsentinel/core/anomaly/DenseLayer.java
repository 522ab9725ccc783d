package dev.prsentinel.core.anomaly;

import java.util.Arrays;

/**
 * One dense layer: out = activation(W x + b), with W stored row-major as [out][in], the order in
 * which DJL exports a Linear block's weight.
 *
 * @param in         inputs
 * @param out        outputs
 * @param relu       ReLU activation, else linear
 * @param weight     out * in weights, row-major
 * @param bias       out biases
 */
public record DenseLayer(int in, int out, boolean relu, float[] weight, float[] bias) {

    public DenseLayer {
        if (weight.length != in * out || bias.length != out) {
            throw new IllegalArgumentException("layer " + in + "->" + out + " needs " + in * out + " weights and "
                    + out + " biases, got " + weight.length + " and " + bias.length);
        }
        weight = weight.clone();
        bias = bias.clone();
    }

    /** Writes this layer's output for {@code x} into {@code y}. */
    void forward(float[] x, float[] y) {
        for (int o = 0; o < out; o++) {
            float sum = bias[o];
            int row = o * in;
            for (int i = 0; i < in; i++) {
                sum += weight[row + i] * x[i];
            }
            y[o] = relu && sum < 0 ? 0 : sum;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenseLayer l && l.in == in && l.out == out && l.relu == relu
                && Arrays.equals(l.weight, weight) && Arrays.equals(l.bias, bias);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * in + out) + Arrays.hashCode(weight)) + Arrays.hashCode(bias);
    }

    @Override
    public String toString() {
        return "DenseLayer[" + in + "->" + out + (relu ? ", relu" : "") + "]";
    }
}
