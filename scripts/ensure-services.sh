#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer: starts local services
# where they are installed, or the docker-compose ones where Docker runs. Exits non-zero, saying
# what is missing, when neither works.
set -u

pg_up() {
  if command -v pg_isready >/dev/null; then pg_isready -q -h 127.0.0.1 -p 5432; else (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; fi
}
redis_up() {
  if command -v redis-cli >/dev/null; then [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = PONG ]; else (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; fi
}
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done; return 1; }

if ! pg_up; then
  echo "ensure-services: PostgreSQL is not answering; trying to start it"
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker compose up -d postgres
  fi
  wait_for pg_up || { echo "ensure-services: PostgreSQL is not reachable on 127.0.0.1:5432 (install it, or run 'docker compose up -d')"; exit 1; }
fi

if ! redis_up; then
  echo "ensure-services: Redis is not answering; trying to start it"
  if command -v redis-server >/dev/null; then
    # Append-only persistence: queued jobs survive a Redis restart (the reconciler covers the rest).
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly yes \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  elif command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    docker compose up -d redis
  fi
  wait_for redis_up || { echo "ensure-services: Redis is not reachable on 127.0.0.1:6379 (install it, or run 'docker compose up -d')"; exit 1; }
fi
echo "ensure-services: PostgreSQL and Redis are up"
