namespace EtcdMaintenance.Tests.Manifests;

/// <summary>Manifests as they are found on control-plane nodes.</summary>
internal static class ManifestSamples
{
    /// <summary>kubeadm's etcd.yaml (1.29 layout): flags under command, probes, resources, volumes, security context.</summary>
    public const string Kubeadm = """
        apiVersion: v1
        kind: Pod
        metadata:
          annotations:
            kubeadm.kubernetes.io/etcd.advertise-client-urls: https://10.0.0.11:2379
          creationTimestamp: null
          labels:
            component: etcd
            tier: control-plane
          name: etcd
          namespace: kube-system
        spec:
          containers:
          - command:
            - etcd
            - --advertise-client-urls=https://10.0.0.11:2379
            - --cert-file=/etc/kubernetes/pki/etcd/server.crt
            - --client-cert-auth=true
            - --data-dir=/var/lib/etcd
            - --experimental-initial-corrupt-check=true
            - --experimental-watch-progress-notify-interval=5s
            - --initial-advertise-peer-urls=https://10.0.0.11:2380
            - --initial-cluster=cp1=https://10.0.0.11:2380
            - --key-file=/etc/kubernetes/pki/etcd/server.key
            - --listen-client-urls=https://127.0.0.1:2379,https://10.0.0.11:2379
            - --listen-metrics-urls=http://127.0.0.1:2381
            - --listen-peer-urls=https://10.0.0.11:2380
            - --name=cp1
            - --peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt
            - --peer-client-cert-auth=true
            - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
            - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
            - --snapshot-count=10000
            - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
            image: registry.k8s.io/etcd:3.5.12-0
            imagePullPolicy: IfNotPresent
            livenessProbe:
              failureThreshold: 8
              httpGet:
                host: 127.0.0.1
                path: /health?exclude=NOSPACE&serializable=true
                port: 2381
                scheme: HTTP
              initialDelaySeconds: 10
              periodSeconds: 10
              timeoutSeconds: 15
            name: etcd
            resources:
              requests:
                cpu: 100m
                memory: 100Mi
            startupProbe:
              failureThreshold: 24
              httpGet:
                host: 127.0.0.1
                path: /health?serializable=false
                port: 2381
                scheme: HTTP
              initialDelaySeconds: 10
              periodSeconds: 10
              timeoutSeconds: 15
            volumeMounts:
            - mountPath: /var/lib/etcd
              name: etcd-data
            - mountPath: /etc/kubernetes/pki/etcd
              name: etcd-certs
          hostNetwork: true
          priority: 2000001000
          priorityClassName: system-node-critical
          securityContext:
            seccompProfile:
              type: RuntimeDefault
          volumes:
          - hostPath:
              path: /etc/kubernetes/pki/etcd
              type: DirectoryOrCreate
            name: etcd-certs
          - hostPath:
              path: /var/lib/etcd
              type: DirectoryOrCreate
            name: etcd-data
        status: {}

        """;

    /// <summary>
    /// A hand-made manifest: the binary under command, flags under args in every style (separate values, quotes, a bare
    /// boolean), other containers with flow sequences, indented sequences.
    /// </summary>
    public const string ArgsStyle = """
        # etcd static pod, maintained by hand (runbook ETCD-7)
        apiVersion: v1
        kind: Pod
        metadata:
          name: etcd-server
          namespace: kube-system
        spec:
          hostNetwork: true
          initContainers:
            - name: wait-for-disk
              image: busybox:1.36
              command: ["sh", "-c", "until [ -d /var/lib/etcd ]; do sleep 1; done"]
          containers:
            - name: metrics-proxy
              image: nginx:1.25
              args: ["-g", "daemon off;"]
            - name: etcd
              image: quay.io/coreos/etcd:v3.5.9
              command:
                - /usr/local/bin/etcd
              args:
                - "--name"
                - "node-a"
                - '--data-dir=/var/lib/etcd'
                - --listen-client-urls
                - https://0.0.0.0:2379
                - --advertise-client-urls=https://node-a.example:2379
                - --initial-cluster
                - node-a=https://node-a.example:2380,node-b=https://node-b.example:2380,node-c=https://node-c.example:2380
                - --initial-cluster-state=new
                - --client-cert-auth
                - --quota-backend-bytes
                - "4294967296"
                - --auto-compaction-mode=periodic
                - --auto-compaction-retention=1h
              ports:
                - containerPort: 2379
                  name: client
              livenessProbe:
                httpGet:
                  path: /health
                  port: 2381
                periodSeconds: 15
              volumeMounts:
                - name: data
                  mountPath: /var/lib/etcd
          volumes:
            - name: data
              hostPath:
                path: /var/lib/etcd

        """;

    /// <summary>Comments between and after items, a blank line, quoted items, a commented-out flag; CRLF line endings and a BOM added by <see cref="CommentedCrlf"/>.</summary>
    private const string Commented = """
        # Managed by ops. Do NOT leave backups in this directory!
        apiVersion: v1
        kind: Pod
        metadata:
          name: etcd   # static pod
          namespace: kube-system
        spec:
          containers:
          - name: etcd
            image: registry.k8s.io/etcd:3.5.9-0
            command:
            # the binary
            - etcd
            # identity
            - --name=cp2          # this node
            - --data-dir=/var/lib/etcd

            # space
            - --quota-backend-bytes=2147483648   # 2 GiB, raise with care
            - '--listen-client-urls=https://127.0.0.1:2379'
            #- --debug=true
            - "--initial-cluster-state=existing"
            livenessProbe:
              failureThreshold: 8
              periodSeconds: 10
        # end
        """;

    /// <summary><see cref="Commented"/> with CRLF line endings and a byte-order mark.</summary>
    public static string CommentedCrlf => "\uFEFF" + Commented.ReplaceLineEndings("\r\n") + "\r\n";

    /// <summary><see cref="Commented"/> with LF line endings.</summary>
    public static string CommentedLf => Commented.ReplaceLineEndings("\n") + "\n";

    public static string Lf(string text) => text.ReplaceLineEndings("\n");
}
