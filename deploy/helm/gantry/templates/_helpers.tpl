{{/*
The chart's name, or nameOverride.
*/}}
{{- define "gantry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's objects: fullnameOverride, else the release name when it already contains the chart's
name (release "gantry" gives "gantry"), else "<release>-<chart>". 63 characters at most (DNS label).
*/}}
{{- define "gantry.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "gantry.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "gantry.labels" -}}
helm.sh/chart: {{ include "gantry.chart" . }}
{{ include "gantry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/component: scheduler
app.kubernetes.io/part-of: gantry
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select the scheduler pods (immutable in the Deployment's selector: keep them few and stable).
*/}}
{{- define "gantry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gantry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The ServiceAccount the scheduler runs as.
*/}}
{{- define "gantry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gantry.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The container image reference; the tag defaults to the chart's appVersion.
*/}}
{{- define "gantry.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
The node agent's objects: "<full name>-agent" (the full name cut to 57 characters first, so the suffix survives
and the agent's names never equal the scheduler's).
*/}}
{{- define "gantry.agent.fullname" -}}
{{- printf "%s-agent" (include "gantry.fullname" . | trunc 57 | trimSuffix "-") }}
{{- end }}

{{/*
Labels that select the agent pods. The name differs from the scheduler's ("<name>-agent"), so neither the
scheduler's Deployment, Service and anti-affinity nor the agent's DaemonSet and Service select the other's pods.
*/}}
{{- define "gantry.agent.selectorLabels" -}}
app.kubernetes.io/name: {{ printf "%s-agent" (include "gantry.name" . | trunc 57 | trimSuffix "-") }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of every agent object.
*/}}
{{- define "gantry.agent.labels" -}}
helm.sh/chart: {{ include "gantry.chart" . }}
{{ include "gantry.agent.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/component: agent
app.kubernetes.io/part-of: gantry
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The ServiceAccount the agent runs as.
*/}}
{{- define "gantry.agent.serviceAccountName" -}}
{{- if .Values.agent.serviceAccount.create }}
{{- default (include "gantry.agent.fullname" .) .Values.agent.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.agent.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
"true" when the agent needs CAP_SYS_ADMIN: deviceListStrategy volume-mounts is the half of the NVIDIA Container
Toolkit's protection against NVIDIA_VISIBLE_DEVICES that lives in the device plugin; the other half
(accept-nvidia-visible-devices-envvar-when-unprivileged = false) makes the toolkit ignore that variable in every
container without CAP_SYS_ADMIN in its bounding set, the agent's own NVIDIA_VISIBLE_DEVICES=all included, and the
agent would lose NVML. The fake backend needs no driver.
*/}}
{{- define "gantry.agent.needsSysAdmin" -}}
{{- and (has "volume-mounts" .Values.agent.deviceListStrategy) (ne .Values.agent.backend "fake") }}
{{- end }}

{{/*
Labels of the CustomResourceDefinitions. Cluster-wide and release-independent in their names, so no instance
selector: component "crds" keeps them apart from the scheduler's and the agent's objects.
*/}}
{{- define "gantry.crds.labels" -}}
helm.sh/chart: {{ include "gantry.chart" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/component: crds
app.kubernetes.io/part-of: gantry
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Annotations of the CustomResourceDefinitions: with crds.keep, `helm uninstall` leaves them (deleting a CRD deletes
every Queue or PodGroup in the cluster).
*/}}
{{- define "gantry.crds.annotations" -}}
{{- if .Values.crds.keep }}
annotations:
  helm.sh/resource-policy: keep
{{- end }}
{{- end }}
