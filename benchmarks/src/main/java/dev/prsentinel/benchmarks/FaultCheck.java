package dev.prsentinel.benchmarks;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import dev.prsentinel.core.cli.Console;
import org.bson.Document;

/**
 * For run-faults.sh: prints the ids of the events a function recorded as handled (state done in its
 * ledger), one per line, so the script can check that every event answered 2xx was kept.
 * Usage: FaultCheck MONGODB_URI FUNCTION
 */
public final class FaultCheck {

    private FaultCheck() {
    }

    public static void main(String[] args) {
        Console out = Console.system();
        try (MongoClient client = MongoClients.create(args[0])) {
            for (Document d : client.getDatabase("prsentinel").getCollection("processed_events_" + args[1])
                    .find(Filters.eq("state", "done"))) {
                String key = d.getString("_id");
                // The ledger's key is "source id".
                out.line("%s", key.substring(key.indexOf(' ') + 1));
            }
        }
    }
}
