package io.gantry.kube;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.gantry.kube.config.SchedulerConfig;
import io.gantry.kube.extender.ExtenderService;
import io.gantry.kube.metrics.SchedulerMetrics;
import io.gantry.kube.model.TenancyCatalog;
import io.gantry.kube.scheduling.KubeApi;
import io.gantry.kube.scheduling.SchedulerLoop;
import io.gantry.kube.server.SchedulerHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gantry as a Kubernetes scheduler: informers on nodes and pods feed the scheduling loop, a Lease decides which
 * instance binds, and an HTTP server exposes metrics, health and explanations (and the extender API in extender
 * mode). One instance per process; {@link #close()} stops everything and releases the lease.
 */
public final class GantryScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GantryScheduler.class);

    /**
     * How an instance runs.
     *
     * @param extender serve kube-scheduler's extender API instead of scheduling pods itself
     * @param identity this instance's name in the Lease (the pod name in a cluster)
     * @param leaseNamespace where the Lease lives when the config leaves it empty
     * @param onLeadershipLost called when this instance stops leading (the CLI exits, as kube-scheduler does)
     */
    public record Options(boolean extender, String identity, String leaseNamespace, Runnable onLeadershipLost) {
        public Options {
            requireNonNull(identity, "identity");
            requireNonNull(leaseNamespace, "leaseNamespace");
            requireNonNull(onLeadershipLost, "onLeadershipLost");
        }
    }

    private final SchedulerConfig config;
    private final SchedulerMetrics metrics = new SchedulerMetrics();
    private final SchedulerLoop loop;
    /** Null in extender mode, where kube-scheduler's VolumeBinding checks volumes. */
    private final VolumeWatch volumes;
    private final SharedIndexInformer<Node> nodeInformer;
    private final SharedIndexInformer<Pod> podInformer;
    /** Queues, PodGroups and Namespaces, when tenancy is on (not in extender mode); empty otherwise. */
    private final List<SharedIndexInformer<?>> tenancyInformers = new ArrayList<>();
    private final SchedulerHttpServer http;
    private final CompletableFuture<?> election;
    private final AtomicBoolean closing = new AtomicBoolean();

    private GantryScheduler(KubernetesClient client, SchedulerConfig config, Options options) {
        this.config = config;
        KubeApi api = new KubeApi(client, config.schedulerName());
        volumes = options.extender() ? null : VolumeWatch.start(client);
        loop = new SchedulerLoop(config, api, metrics, volumes, !options.extender());
        loop.setSchedulingEnabled(!options.extender());
        loop.start();
        ExtenderService extender = options.extender() ? new ExtenderService(loop, api, client) : null;
        try {
            http = new SchedulerHttpServer(config.serverPort(), loop, metrics, extender,
                    () -> loop.isSynced() && (!options.extender() || loop.isLeader()));
        } catch (IOException e) {
            loop.close();
            closeVolumes();
            throw new UncheckedIOException("cannot listen on port " + config.serverPort() + ": " + e.getMessage(), e);
        }
        SharedIndexInformer<Node> nodes = null;
        try {
            nodes = client.nodes().inform(new Handler<>(loop::nodeChanged, loop::nodeDeleted), 0);
            podInformer = client.pods().inAnyNamespace().inform(new Handler<>(loop::podChanged, loop::podDeleted),
                    0);
        } catch (RuntimeException e) {
            // The API server is unreachable or refuses the watch: leave nothing running behind.
            if (nodes != null) {
                nodes.close();
            }
            loop.close();
            http.close();
            closeVolumes();
            throw e;
        }
        nodeInformer = nodes;
        if (volumes != null) {
            volumes.onChange(() -> podInformer.getStore().list(), loop::podChanged);
        }
        Runnable tenancyLists = loop.tenancy() ? watchTenancy(client) : () -> { };
        loop.markSynced(tenancyLists, () -> nodeInformer.getStore().list(), () -> podInformer.getStore().list());
        if (config.leaderElection().enabled()) {
            SchedulerConfig.LeaderElection le = config.leaderElection();
            String ns = le.leaseNamespace().isEmpty() ? options.leaseNamespace() : le.leaseNamespace();
            election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
                    .withName(config.schedulerName())
                    .withLock(new LeaseLock(ns, le.leaseName(), options.identity()))
                    .withLeaseDuration(le.leaseDuration())
                    .withRenewDeadline(le.renewDeadline())
                    .withRetryPeriod(le.retryPeriod())
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(new LeaderCallbacks(
                            () -> {
                                LOG.info("{} now leads (lease {}/{})", options.identity(), ns, le.leaseName());
                                loop.setLeader(true);
                            },
                            () -> {
                                loop.setLeader(false);
                                if (!closing.get()) {
                                    LOG.warn("{} lost the lease {}/{}", options.identity(), ns, le.leaseName());
                                    options.onLeadershipLost().run();
                                }
                            },
                            leader -> LOG.info("leader is {}", leader)))
                    .build()).build().start();
        } else {
            election = null;
            loop.setLeader(true);
        }
    }

    /**
     * Watches Queues, PodGroups and Namespaces into the loop; returns what replays their initial lists. A CRD that is
     * not installed is logged and left out (no queues: every pod is in the default queue; no PodGroups: pods
     * labelled with one wait for it), so Gantry runs on a cluster without them.
     */
    private Runnable watchTenancy(KubernetesClient client) {
        List<Runnable> lists = new ArrayList<>();
        try {
            SharedIndexInformer<Namespace> ns = client.namespaces().inform(
                    new Handler<>(loop::namespaceChanged, loop::namespaceDeleted), 0);
            tenancyInformers.add(ns);
            lists.add(() -> ns.getStore().list().forEach(loop::namespaceChanged));
        } catch (RuntimeException e) {
            LOG.warn("cannot watch namespaces ({}); their {} labels are not read", e.getMessage(),
                    TenancyCatalog.QUEUE_LABEL);
        }
        lists.add(watchGeneric(client.genericKubernetesResources(KubeApi.QUEUES), "queues.scheduling.gantry.io",
                loop::queueChanged, loop::queueDeleted));
        lists.add(watchGeneric(client.genericKubernetesResources(KubeApi.POD_GROUPS).inAnyNamespace(),
                "podgroups.scheduling.x-k8s.io", loop::podGroupChanged, loop::podGroupDeleted));
        return () -> lists.forEach(Runnable::run);
    }

    private <R extends io.fabric8.kubernetes.client.dsl.Informable<GenericKubernetesResource>
            & io.fabric8.kubernetes.client.dsl.Listable<io.fabric8.kubernetes.api.model.GenericKubernetesResourceList>>
            Runnable watchGeneric(R resources, String crd,
            java.util.function.Consumer<GenericKubernetesResource> changed,
            java.util.function.Consumer<GenericKubernetesResource> deleted) {
        try {
            // asked first, so that an API server without the CRD gets one plain warning, not an informer's stack trace
            resources.list(new io.fabric8.kubernetes.api.model.ListOptionsBuilder().withLimit(1L).build());
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            if (e.getCode() == 404) {
                LOG.warn("the API server does not serve {}; is the CRD installed? (deploy/manifests/crds/) Running"
                        + " without them", crd);
                return () -> { };
            }
        }
        try {
            SharedIndexInformer<GenericKubernetesResource> informer = resources.inform(
                    new Handler<>(changed, deleted), 0);
            tenancyInformers.add(informer);
            return () -> informer.getStore().list().forEach(changed);
        } catch (RuntimeException e) {
            LOG.warn("cannot watch {} ({}); is the CRD installed? (deploy/manifests/crds/) Running without them",
                    crd, e.getMessage());
            return () -> { };
        }
    }

    /** Starts watching, electing and serving; returns once the informers have their initial lists. */
    public static GantryScheduler start(KubernetesClient client, SchedulerConfig config, Options options) {
        return new GantryScheduler(requireNonNull(client, "client"), requireNonNull(config, "config"),
                requireNonNull(options, "options"));
    }

    public SchedulerLoop loop() {
        return loop;
    }

    public SchedulerMetrics metrics() {
        return metrics;
    }

    public SchedulerConfig config() {
        return config;
    }

    public int httpPort() {
        return http.port();
    }

    @Override
    public void close() {
        closing.set(true);
        if (election != null) {
            election.cancel(true);
        }
        nodeInformer.close();
        podInformer.close();
        tenancyInformers.forEach(SharedIndexInformer::close);
        loop.close();
        http.close();
        closeVolumes();
    }

    private void closeVolumes() {
        if (volumes != null) {
            volumes.close();
        }
    }

    /** Informer callbacks into the loop's inbox. */
    private record Handler<T>(java.util.function.Consumer<T> changed, java.util.function.Consumer<T> deleted)
            implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            changed.accept(obj);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            changed.accept(newObj);
        }

        @Override
        public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            deleted.accept(obj);
        }
    }
}
