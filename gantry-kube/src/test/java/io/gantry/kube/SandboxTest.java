package io.gantry.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.gantry.kube.sandbox.KubeSandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh API server per test, and the scheduler under test closed after it. */
abstract class SandboxTest {

    protected KubeSandbox sandbox;
    protected GantryScheduler scheduler;

    @BeforeEach
    void startSandbox() {
        sandbox = KubeSandbox.start();
    }

    @AfterEach
    void stopSandbox() {
        if (scheduler != null) {
            scheduler.close();
        }
        sandbox.close();
    }

    protected KubernetesClient client() {
        return sandbox.client();
    }

    protected void node(String name, int gpus, String model) {
        client().nodes().resource(KubeSandbox.gpuNode(name, gpus, model, 64, 256)).create();
    }

    protected Pod pod(String name, int gpus, int milli) {
        return KubeSandbox.gpuPod(KubeTestSupport.NS, name, "gantry", gpus, milli, 1000, 1024);
    }

    protected void create(Pod pod) {
        KubeTestSupport.create(sandbox, pod);
    }

    protected void startScheduler() {
        scheduler = KubeTestSupport.start(client(), KubeTestSupport.config());
    }
}
