package dev.prsentinel.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

/**
 * Checks the embedded store's file before the server opens it, and repairs what a kill -9 leaves.
 *
 * <p>mongo-java-server's H2 backend keeps each collection's documents in one MVStore map
 * ({@code databases.DB.COLL}, keyed by {@code _id}) and its {@code _id} index in another
 * ({@code DB.COLL._index__id_}, mapping the key to the document's position, which is the
 * {@code _id} again). It writes a document and its index entry one after the other, and MVStore
 * commits all maps together about once a second, so a process killed between a commit that holds
 * the document and the next one leaves a document no lookup finds and no insert can replace: every
 * later import failed at it ("Document with key ... already existed"), forever. The file itself
 * stays readable (MVStore opens at its last complete commit).
 *
 * <p>The repair drops what only half exists: a document without its index entry, and an index
 * entry without its document. Both were the last writes before the kill, never acknowledged as a
 * pair; an import, sync or demo run again writes them whole. Other indexes are not unique in this
 * store (the backend ignores secondary ones), so nothing else can disagree.
 */
final class StoreCheck {

    private static final String DATA = "databases.";
    private static final String ID_INDEX = "._index__id_";

    /**
     * What the check found.
     *
     * @param collections collections checked
     * @param documents   documents checked
     * @param orphanDocuments documents without an index entry, removed
     * @param orphanIndexEntries index entries without a document, removed
     */
    record Report(int collections, long documents, long orphanDocuments, long orphanIndexEntries) {

        /** Nothing checked. */
        static final Report NONE = new Report(0, 0, 0, 0);

        boolean repaired() {
            return orphanDocuments + orphanIndexEntries > 0;
        }
    }

    private StoreCheck() {
    }

    /** Checks and repairs the file; a missing file (a new store) has nothing to check. */
    static Report run(Path file) {
        if (!Files.exists(file)) {
            return Report.NONE;
        }
        MVStore store = new MVStore.Builder().fileName(file.toString()).open();
        try {
            int collections = 0;
            long documents = 0;
            long orphanDocuments = 0;
            long orphanIndexEntries = 0;
            List<String> names = store.getMapNames().stream().filter(n -> n.startsWith(DATA)).sorted().toList();
            for (String name : names) {
                String index = name.substring(DATA.length()) + ID_INDEX;
                if (!store.hasMap(index)) {
                    continue;
                }
                collections++;
                MVMap<Object, Object> data = store.openMap(name);
                MVMap<Object, Object> ids = store.openMap(index);
                if (ids.isEmpty() && !data.isEmpty()) {
                    // Not the shape a killed write leaves: no repair rests on a guess.
                    continue;
                }
                Set<Object> indexed = new HashSet<>(ids.values());
                for (Object key : List.copyOf(data.keySet())) {
                    documents++;
                    if (!indexed.contains(key)) {
                        data.remove(key);
                        orphanDocuments++;
                    }
                }
                for (var entry : List.copyOf(ids.entrySet())) {
                    if (!data.containsKey(entry.getValue())) {
                        ids.remove(entry.getKey());
                        orphanIndexEntries++;
                    }
                }
            }
            if (orphanDocuments + orphanIndexEntries > 0) {
                store.commit();
            }
            return new Report(collections, documents, orphanDocuments, orphanIndexEntries);
        } finally {
            store.close();
        }
    }
}
