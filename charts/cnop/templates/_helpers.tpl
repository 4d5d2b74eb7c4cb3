{{/*
Names, labels and the pieces every workload shares. Helpers that describe one component
take a context `dict "root" $ "name" "<component>"`.
*/}}

{{/* The five components, in the order of every loop: the four services, then the edge. */}}
{{- define "cnop.components" -}}
["auth", "user", "inventory", "order", "edge"]
{{- end }}

{{/*
Which components call each service over gRPC, as the code does: the edge calls all four
(edge/upstream.py); every service's token interceptor fetches the auth service's public
keys (shared/auth.py); user calls auth (user/sessions.py) and order calls inventory for
prices (order/prices.py). The NetworkPolicies derive both directions from this.
*/}}
{{- define "cnop.callers" -}}
auth: [edge, user, inventory, order]
user: [edge]
inventory: [edge, order]
order: [edge]
edge: []
{{- end }}

{{/* Which components use each store; the tables job uses DynamoDB too. */}}
{{- define "cnop.storeClients" -}}
redis: [auth, user, inventory, order, edge]
dynamodb: [user, inventory, order]
{{- end }}

{{/* The ports of the trial mode's Redis and DynamoDB Local. */}}
{{- define "cnop.storePorts" -}}
redis: 6379
dynamodb: 8000
{{- end }}

{{- define "cnop.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cnop.fullname" -}}
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

{{/* The name of a component's objects: <fullname>-<component>. */}}
{{- define "cnop.componentName" -}}
{{- printf "%s-%s" (include "cnop.fullname" .root | trunc 50 | trimSuffix "-") .name }}
{{- end }}

{{- define "cnop.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cnop.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cnop.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "cnop.labels" -}}
{{ include "cnop.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: cnop
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "cnop.chart" .root }}
{{- end }}

{{- define "cnop.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "cnop.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cnop.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cnop.secretName" -}}
{{- default (printf "%s-secrets" (include "cnop.fullname" .)) .Values.secrets.name }}
{{- end }}

{{- define "cnop.configMapName" -}}
{{- printf "%s-settings" (include "cnop.fullname" .) }}
{{- end }}

{{/* A setting's value as an environment variable: strings as they are, the rest as JSON. */}}
{{- define "cnop.envValue" -}}
{{- if kindIs "string" . }}{{ . }}{{ else }}{{ toJson . }}{{ end }}
{{- end }}

{{/*
The settings every component shares, as a YAML map of variable name to string: `config`
(null values left out), the service addresses, the edge port, and the stores of trial
mode. The ConfigMap holds exactly this; the tables hook Job sets it inline.
*/}}
{{- define "cnop.sharedSettings" -}}
{{- $settings := dict }}
{{- range $name, $value := .Values.config }}
{{- if not (kindIs "invalid" $value) }}
{{- $_ := set $settings (printf "CNOP_%s" (upper $name)) (include "cnop.envValue" $value) }}
{{- end }}
{{- end }}
{{- range $name := list "auth" "user" "inventory" "order" }}
{{- $address := printf "%s:%v" (include "cnop.componentName" (dict "root" $ "name" $name)) (index $.Values.components $name "port") }}
{{- $_ := set $settings (printf "CNOP_%s_ADDR" (upper $name)) $address }}
{{- end }}
{{- $_ := set $settings "CNOP_EDGE_PORT" (toString .Values.components.edge.port) }}
{{- if .Values.trial.enabled }}
{{- $ports := include "cnop.storePorts" . | fromYaml }}
{{- $_ := set $settings "CNOP_DYNAMODB_ENDPOINT" (printf "http://%s:%v" (include "cnop.componentName" (dict "root" . "name" "dynamodb")) $ports.dynamodb) }}
{{- $_ := set $settings "CNOP_CREATE_TABLES" "true" }}
{{- $_ := set $settings "CNOP_REDIS_URL" (printf "redis://%s:%v/0" (include "cnop.componentName" (dict "root" . "name" "redis")) $ports.redis) }}
{{- else if .Values.redis.url }}
{{- $_ := set $settings "CNOP_REDIS_URL" .Values.redis.url }}
{{- end }}
{{- toYaml $settings }}
{{- end }}

{{/* An env entry that reads one key of the CNOP Secret. */}}
{{- define "cnop.secretEnv" -}}
- name: {{ .key }}
  valueFrom:
    secretKeyRef:
      name: {{ include "cnop.secretName" .root }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/*
A component's own environment, beside the shared ConfigMap: its metrics port (0 for the
edge, which serves /metrics on its HTTP port, and for the tables job), its `config`
overrides, and the secrets it needs: the signing key only for auth, the CoinGecko key
only for inventory, the cursor and internal secrets for every process (Settings refuses
to start without them outside development), and the Redis URL when it comes from the
Secret.
*/}}
{{- define "cnop.componentEnv" -}}
{{- $component := index .root.Values.components .name | default dict -}}
- name: CNOP_METRICS_PORT
  value: {{ $component.metricsPort | default 0 | quote }}
{{- range $name, $value := $component.config }}
{{- if not (kindIs "invalid" $value) }}
- name: {{ printf "CNOP_%s" (upper $name) }}
  value: {{ include "cnop.envValue" $value | quote }}
{{- end }}
{{- end }}
{{- if eq .name "auth" }}
{{ include "cnop.secretEnv" (dict "root" .root "key" "CNOP_AUTH_SIGNING_KEY") }}
{{- end }}
{{- if eq .name "inventory" }}
{{ include "cnop.secretEnv" (dict "root" .root "key" "CNOP_COINGECKO_API_KEY" "optional" true) }}
{{- end }}
{{ include "cnop.secretEnv" (dict "root" .root "key" "CNOP_CURSOR_SECRET") }}
{{ include "cnop.secretEnv" (dict "root" .root "key" "CNOP_INTERNAL_SECRET") }}
{{- if not (or .root.Values.trial.enabled .root.Values.redis.url) }}
{{ include "cnop.secretEnv" (dict "root" .root "key" "CNOP_REDIS_URL") }}
{{- end }}
{{- end }}

{{/* Pod-level settings every CNOP pod shares. */}}
{{- define "cnop.podDefaults" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The /tmp emptyDir, the only writable place in a CNOP container. */}}
{{- define "cnop.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{- define "cnop.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* NetworkPolicy peers: the pods of the components in `.names`. */}}
{{- define "cnop.componentPeers" -}}
{{- $peers := list }}
{{- range $name := .names }}
{{- $labels := include "cnop.selectorLabels" (dict "root" $.root "name" $name) | fromYaml }}
{{- $peers = append $peers (dict "podSelector" (dict "matchLabels" $labels)) }}
{{- end }}
{{- toYaml $peers }}
{{- end }}

{{/*
Refuses a shutdown that cannot finish inside the grace period: the preStop pause plus
the time calls in flight get must leave a second to spare.
*/}}
{{- define "cnop.checkShutdown" -}}
{{- $grace := .root.Values.config.shutdown_grace_seconds }}
{{- $component := index .root.Values.components .name }}
{{- if hasKey $component.config "shutdown_grace_seconds" }}
{{- $grace = $component.config.shutdown_grace_seconds }}
{{- end }}
{{- $needed := addf .root.Values.lifecycle.preStopSleepSeconds $grace 1 }}
{{- if lt (float64 .root.Values.lifecycle.terminationGracePeriodSeconds) (float64 $needed) }}
{{- fail (printf "%s: lifecycle.terminationGracePeriodSeconds (%v) must be at least preStopSleepSeconds + shutdown_grace_seconds + 1 (%v)" .name .root.Values.lifecycle.terminationGracePeriodSeconds $needed) }}
{{- end }}
{{- end }}

{{/* Combinations of values that would render but not run. */}}
{{- define "cnop.validate" -}}
{{- if and .Values.secrets.create (not .Values.trial.enabled) (not .Values.redis.url) }}
{{- fail "secrets.create generates no Redis URL: set redis.url, or trial.enabled for an in-cluster Redis" }}
{{- end }}
{{- end }}
