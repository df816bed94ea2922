FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 1000 painapp
COPY pyproject.toml README.md ./
COPY painapp painapp
COPY programs programs
COPY tracking tracking
RUN pip install .
COPY . .
RUN DEBUG=true python manage.py collectstatic --noinput
USER painapp
EXPOSE 8000
CMD ["docker/web.sh"]
