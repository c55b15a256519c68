# The image every pod of profiles/cluster runs: the run and step Jobs (K8sRunLauncher,
# k8s_job_executor), the code location server and the training pod (PipesK8sClient).
#   docker build -t ghcr.io/<you>/luth:$(git rev-parse --short HEAD) .
#   docker push ghcr.io/<you>/luth:$(git rev-parse --short HEAD)
# It installs exactly the pinned set of pyproject.toml (tests/test_profiles.py checks it):
# torch first from the CPU wheel index at pyproject's pin, then the package with the `k8s` and
# `s3` extras. For CUDA nodes, build with --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128.
FROM python:3.11-slim

ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 DAGSTER_HOME=/opt/dagster/dagster_home

WORKDIR /opt/luth
RUN pip install --index-url ${TORCH_INDEX} torch==2.13.0
COPY pyproject.toml README.md workspace.yaml ./
COPY luth_assets ./luth_assets
COPY luth_train ./luth_train
COPY sql ./sql
COPY configs ./configs
COPY data_lake/landing ./data_lake/landing
# editable: `luth sql` finds sql/ beside the package, the demo config resolves its landing files
RUN pip install -e '.[k8s,s3]' && mkdir -p ${DAGSTER_HOME}

# the code location (dagster-k8s' run and step Jobs run `dagster api execute_run/step` in it)
EXPOSE 4000
CMD ["dagster", "api", "grpc", "-h", "0.0.0.0", "-p", "4000", "-m", "luth_assets.definitions"]
