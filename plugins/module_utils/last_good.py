# -*- coding: utf-8 -*-
# Copyright: (c) 2026, oncall.runbooks maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The "roll back to the last good deployment" rule of the hosted platforms (Railway,
Cloudflare Pages), written once. Each platform supplies its evidence - when a deployment was
created, whether it is one the platform can roll back to, what code it runs - and its words.

The rule: a named deployment is wanted live (nothing to do when it already is); otherwise the
newest good deployment older than the newest bad one (by default the live one is the bad one)
that runs other code than every bad one. Nothing to do when the live deployment is not bad.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class Platform:
    """A platform's evidence and words. `error(msg, kind=...)` is its exception class;
    `words` maps each situation to a format string (fields in braces)."""

    def __init__(self, error, created, good, source, words, same_code_is_live=False):
        self.error = error
        self.created = created      # deployment -> sortable creation time
        self.good = good            # deployment -> can be rolled back to
        self.source = source        # deployment -> what code it runs
        self.words = words
        # a named deployment counts as live when the live one runs the same code
        self.same_code_is_live = same_code_is_live

    def say(self, situation, **fields):
        return self.words[situation].format(**fields)


def plan_rollback(platform, deployments, active, deployment_id=None, bad_ids=None):
    """(action, target, active, reason); action "none" or "rollback". Raises platform.error."""
    deployments = sorted(deployments, key=lambda d: (platform.created(d) or "", d.get("id") or ""), reverse=True)
    by_id = dict((d.get("id"), d) for d in deployments)
    count = len(deployments)
    if deployment_id:
        target = by_id.get(deployment_id)
        if target is None:
            raise platform.error(platform.say("named_missing", id=deployment_id, count=count), kind="not_found")
        if not platform.good(target):
            raise platform.error(platform.say("named_not_good", id=deployment_id, status=target.get("status")),
                                 kind="input")
        if active is not None and (active.get("id") == deployment_id or (
                platform.same_code_is_live and platform.source(active) == platform.source(target))):
            return "none", target, active, platform.say("named_live", id=active.get("id"), source=platform.source(target))
        return "rollback", target, active, "roll back to deployment %s as asked" % deployment_id

    if active is None:
        raise platform.error(platform.say("no_live"), kind="not_found")
    bad_ids = list(bad_ids or [active.get("id")])
    unknown = [i for i in bad_ids if i not in by_id]
    if unknown:
        raise platform.error(platform.say("bad_missing", ids=", ".join(unknown), count=count), kind="not_found")
    bad = [by_id[i] for i in bad_ids]
    bad_sources = set(platform.source(d) for d in bad)
    if active.get("id") not in bad_ids and platform.source(active) not in bad_sources:
        return "none", active, active, "the live deployment %s (%s) is not a bad one" % (
            active.get("id"), platform.source(active))
    newest_bad = max(platform.created(d) or "" for d in bad)
    for dep in deployments:
        if (platform.created(dep) or "") >= newest_bad or not platform.good(dep) or platform.source(dep) in bad_sources:
            continue
        return "rollback", dep, active, platform.say("found", bad=", ".join(bad_ids), id=dep.get("id"),
                                                     source=platform.source(dep), created=platform.created(dep))
    raise platform.error(platform.say("none_found", bad=", ".join(bad_ids), count=count), kind="not_found")
