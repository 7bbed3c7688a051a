# One image for the API, the worker, the sweeper and Flower.
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DATA_DIR=/data
WORKDIR /app
# The CPU build of torch (the default index serves a multi-GB CUDA build).
RUN pip install "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY service ./service
COPY workers ./workers
RUN pip install ".[ops]"
RUN useradd --create-home app && mkdir -p /data /models && chown app /data /models
USER app
EXPOSE 8000
CMD ["modctl", "serve", "--host", "0.0.0.0"]
