# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hosts of an Ansible inventory group as testinfra hosts, with their variables.

The inventory is read with Ansible's own classes (group_vars, host_vars, extra vars, Jinja
templates such as the lab's `ansible_host: "{{ lab_prefix }}-ai"` all resolved), and each
host's connection is mapped to a testinfra backend:

    ssh / ansible.builtin.ssh / paramiko   -> paramiko (StrictParamikoBackend below)
    docker / community.docker.docker       -> docker (docker exec into ansible_host)
    local / ansible.builtin.local          -> local

Why not testinfra's own `ansible://` backend with `--ansible-inventory`: it reads the inventory
with `ansible-inventory --list`, which does not template variables (the lab's container
names are templates) and takes no extra vars; it does not know FQCN connection names such as
`ansible.builtin.ssh`, so it falls back to running every command through an `ansible`
process; and its ssh mapping is the `ssh` CLI backend while its paramiko backend accepts any
host key. See docs/production.md.
"""
from __future__ import annotations

import functools
import json
import os
import re
import shlex

import paramiko
import testinfra
import testinfra.host
import yaml
from testinfra.backend.paramiko import ParamikoBackend

SSH = ("ssh", "ansible.builtin.ssh", "smart", "paramiko", "paramiko_ssh", "ansible.builtin.paramiko_ssh")
DOCKER = ("docker", "community.docker.docker", "community.docker.docker_api")
LOCAL = ("local", "ansible.builtin.local")
_MISSING = object()


class ChecklistError(Exception):
    """Bad input (inventory, group, variables): the message says what to fix."""


class StrictParamikoBackend(ParamikoBackend):
    """testinfra's paramiko backend with host key checking on.

    testinfra's own backend accepts an unknown host key with a warning and never reads a
    known_hosts file. This one trusts only the keys of `known_hosts` (the inventory's file,
    as Ansible's ssh connection does with UserKnownHostsFile) and rejects any other;
    `check_host_key=False` mirrors an inventory that turned host key checking off.
    """

    def __init__(self, hostspec, known_hosts=None, check_host_key=True, **kwargs):
        self.known_hosts = known_hosts
        self.check_host_key = check_host_key
        super().__init__(hostspec, **kwargs)

    @functools.cached_property
    def client(self):
        client = paramiko.SSHClient()
        if self.check_host_key:
            if self.known_hosts and os.path.exists(self.known_hosts):
                client.load_host_keys(self.known_hosts)
            client.set_missing_host_key_policy(paramiko.RejectPolicy())
        else:
            client.set_missing_host_key_policy(paramiko.WarningPolicy())
        key = self.ssh_identity_file
        client.connect(hostname=self.host.name, port=int(self.host.port or 22), username=self.host.user,
                       key_filename=key, timeout=self.timeout,
                       allow_agent=not key, look_for_keys=not key)    # IdentitiesOnly, as the inventory says
        return client


def parse_extra_vars(values):
    """-e values as ansible-playbook takes them: k=v pairs, a JSON/YAML mapping, or @file."""
    from ansible.parsing.splitter import parse_kv
    out = {}
    for value in values or []:
        if value.startswith("@"):
            try:
                with open(value[1:]) as handle:
                    data = yaml.safe_load(handle) or {}
            except OSError as exc:
                raise ChecklistError("-e %s: %s" % (value, exc.strerror))
        elif value.lstrip().startswith("{"):
            try:
                data = yaml.safe_load(value)
            except yaml.YAMLError as exc:
                raise ChecklistError("-e %r is not valid JSON/YAML: %s" % (value, exc))
        else:
            data = parse_kv(value)
        if not isinstance(data, dict):
            raise ChecklistError("-e %s: want key=value, a mapping or @file of one" % value)
        out.update(data)
    return out


def _plain(value):
    """Ansible's tagged types -> plain JSON types."""
    return json.loads(json.dumps(value))


def _known_hosts_file(variables):
    """The known_hosts Ansible's ssh connection uses for this host."""
    if variables.get("ssh_known_hosts_file"):
        return os.path.expanduser(variables["ssh_known_hosts_file"])
    args = " ".join(str(variables.get(k) or "") for k in ("ansible_ssh_common_args", "ansible_ssh_extra_args"))
    m = re.search(r"UserKnownHostsFile[= ](\S+)", args)
    return os.path.expanduser(m.group(1)) if m else os.path.expanduser("~/.ssh/known_hosts")


def _host_key_checking(variables):
    args = " ".join(str(variables.get(k) or "") for k in ("ansible_ssh_common_args", "ansible_ssh_extra_args"))
    if re.search(r"StrictHostKeyChecking[= ]no\b", args):
        return False
    for name in ("ansible_ssh_host_key_checking", "ansible_host_key_checking"):
        if name in variables:
            return str(variables[name]).lower() not in ("false", "no", "0")
    return True


class Target:
    """One inventory host: its name, its variables (templated on demand) and a testinfra host."""

    def __init__(self, name, variables, templar):
        self.name = name
        self._vars = variables
        self._templar = templar
        self._host = None
        self._unreachable = None
        self.spec = None

    def var(self, name, default=_MISSING):
        if name not in self._vars:
            if default is _MISSING:
                raise KeyError(name)
            return default
        try:
            return _plain(self._templar.template(self._vars[name]))
        except Exception as exc:  # pylint: disable=broad-except  # Ansible raises many kinds
            raise ChecklistError("%s: cannot work out %s: %s" % (self.name, name, exc))

    def has(self, name):
        return name in self._vars

    def backend(self):
        connection = self.var("ansible_connection", "ssh")
        address = str(self.var("ansible_host", self.name))
        user = self.var("ansible_user", None)
        sudo = str(self.var("ansible_become", False)).lower() in ("true", "yes", "1")
        sudo_user = self.var("ansible_become_user", None) if sudo else None
        if connection in SSH:
            port = int(self.var("ansible_port", 22))
            key = self.var("ansible_ssh_private_key_file", self.var("ansible_private_key_file", None))
            hostspec = "%s%s:%d" % (user + "@" if user else "", address, port)
            self.spec = "paramiko://" + hostspec
            return StrictParamikoBackend(hostspec, known_hosts=_known_hosts_file(self._plain_conn_vars()),
                                         check_host_key=_host_key_checking(self._plain_conn_vars()),
                                         ssh_identity_file=os.path.expanduser(key) if key else None,
                                         timeout=int(self.var("ansible_timeout", 15)), sudo=sudo, sudo_user=sudo_user)
        if connection in DOCKER:
            self.spec = "docker://%s%s" % (user + "@" if user else "", address)
        elif connection in LOCAL:
            self.spec = "local://"
        else:
            raise ChecklistError("%s: connection %s is not supported by the checklists (use ssh, docker or local)"
                                 % (self.name, connection))
        return testinfra.get_host(self.spec, sudo=sudo, sudo_user=sudo_user).backend

    def _plain_conn_vars(self):
        names = ("ssh_known_hosts_file", "ansible_ssh_common_args", "ansible_ssh_extra_args",
                 "ansible_ssh_host_key_checking", "ansible_host_key_checking")
        return {n: self.var(n) for n in names if self.has(n)}

    @property
    def host(self):
        """The testinfra host, connected; the first failure to connect is kept and repeated."""
        if self._unreachable:
            raise ConnectionError(self._unreachable)
        if self._host is None:
            try:
                host = testinfra.host.Host(self.backend())
                probe = host.run("true")
            except ChecklistError:
                raise
            except Exception as exc:  # pylint: disable=broad-except  # paramiko, sockets, docker
                self._unreachable = "cannot reach %s (%s): %s: %s" % (self.name, self.spec, type(exc).__name__, exc)
                raise ConnectionError(self._unreachable)
            if probe.rc != 0:
                self._unreachable = "cannot reach %s (%s): %s" % (self.name, self.spec, (probe.stderr or probe.stdout).strip())
                raise ConnectionError(self._unreachable)
            self._host = host
        return self._host

    @property
    def python(self):
        return self.var("ansible_python_interpreter", "python3")

    def run_python(self, script, *args):
        """Run a Python script on the host with arguments (each quoted); return the result."""
        return self.host.run(" ".join([shlex.quote(self.python), "-c", shlex.quote(script)]
                                      + [shlex.quote(str(a)) for a in args]))


def load(inventory, group, extra_vars=None):
    """The hosts of `group` in `inventory` (a path), with `extra_vars` on top of everything."""
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader
    from ansible.plugins.loader import init_plugin_loader
    from ansible.template import Templar
    from ansible.vars.manager import VariableManager

    if not os.path.exists(inventory):
        raise ChecklistError("inventory %s does not exist" % inventory)
    from ansible.utils.collection_loader import AnsibleCollectionConfig
    if AnsibleCollectionConfig.collection_finder is None:
        init_plugin_loader()
    loader = DataLoader()
    manager = InventoryManager(loader=loader, sources=[inventory])
    if group not in manager.groups and not manager.get_hosts(group):
        raise ChecklistError("inventory %s has no group or host %r (groups: %s)"
                             % (inventory, group, ", ".join(sorted(g for g in manager.groups if g != "ungrouped"))))
    variables = VariableManager(loader=loader, inventory=manager)
    variables._extra_vars = dict(extra_vars or {})  # pylint: disable=protected-access  # as -e does
    targets = []
    for host in manager.get_hosts(group):
        hv = variables.get_vars(host=host, include_hostvars=False)
        targets.append(Target(host.name, hv, Templar(loader=loader, variables=hv)))
    if not targets:
        raise ChecklistError("group %r of %s has no hosts" % (group, inventory))
    return targets
