package dev.prsentinel.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import org.junit.jupiter.api.Test;

class RedactTest {

    @Test
    void credentialsInUrlsAreReplaced() {
        assertThat(Redact.text("MLflow at http://user:s3cret@mlflow:5000/ unreachable"))
                .isEqualTo("MLflow at http://***@mlflow:5000/ unreachable");
        assertThat(Redact.text("mongodb://app:pw@db-0,db-1/prsentinel?authSource=admin"))
                .isEqualTo("mongodb://***@db-0,db-1/prsentinel?authSource=admin");
        assertThat(Redact.text("GET https://api.example.com/x?access_token=abc&page=2"))
                .isEqualTo("GET https://api.example.com/x?access_token=***&page=2");
        assertThat(Redact.text("plain http://host:8080/path stays")).isEqualTo("plain http://host:8080/path stays");
    }

    @Test
    void causesLoseTheirClassNames() {
        assertThat(Redact.cause(new RuntimeException(new ConnectException()))).isEqualTo("connection refused");
        assertThat(Redact.cause(new IllegalStateException("java.net.ConnectException: Connection refused")))
                .isEqualTo("Connection refused");
        assertThat(Redact.cause(new RuntimeException("bad at http://u:p@h/"))).isEqualTo("bad at http://***@h/");
    }

    @Test
    void forClientsLocalPathsKeepOnlyTheirFileName() {
        assertThat(Redact.forClient("/var/lib/prsentinel/models/model.json is unreadable"))
                .isEqualTo("model.json is unreadable");
        assertThat(Redact.forClient("no model.json in /tmp/x/model at http://u:p@mlflow:5000/a/b"))
                .isEqualTo("no model.json in model at http://***@mlflow:5000/a/b");
    }
}
