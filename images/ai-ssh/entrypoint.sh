#!/bin/sh
# Start sshd for ec2-user as images/ai-ssh/Dockerfile describes (SSH_PORT, SSH_LISTEN,
# SSH_AUTHORIZED_KEYS, SUDO_MODE).
set -eu

case "$SUDO_MODE" in
  nopasswd) rule='ec2-user ALL=(ALL) NOPASSWD: ALL' ;;
  password) rule='ec2-user ALL=(ALL) ALL' ;;
  *) echo "SUDO_MODE must be nopasswd or password, not '$SUDO_MODE'" >&2; exit 2 ;;
esac
printf '%s\n' "$rule" >/etc/sudoers.d/ec2-user
chmod 0440 /etc/sudoers.d/ec2-user

keys=/etc/ssh/authorized_keys/ec2-user
if [ -n "${SSH_AUTHORIZED_KEYS:-}" ]; then
  printf '%s\n' "$SSH_AUTHORIZED_KEYS" >"$keys"
  chmod 0644 "$keys"
fi
[ -f "$keys" ] || echo "no key for ec2-user yet: set SSH_AUTHORIZED_KEYS or mount $keys" >&2

# This container's own host keys, made at its first start.
ssh-keygen -A >/dev/null
exec /usr/sbin/sshd -D -e -p "$SSH_PORT" -o "ListenAddress=$SSH_LISTEN"
