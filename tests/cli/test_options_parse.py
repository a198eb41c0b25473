"""gtmplan.options.parse: a command line read by the one declaration, as click reads it (the
parity tests in test_fastpath.py run both readers on every declared option)."""

from __future__ import annotations

import pytest

from gtmplan import options
from gtmplan.options import Call

CHECK_DEFAULTS = {"plan": ".", "fmt": None, "select": None, "ignore": None, "strict": False, "output": None,
                  "scenario": None, "sets": None}


@pytest.mark.parametrize("argv, given", [
    (["check"], {}),
    (["check", "p", "--strict", "-f", "json"], {"plan": "p", "strict": True, "fmt": "json"}),
    (["check", "-fjson", "--select=A,L2", "--ignore", "R"], {"fmt": "json", "select": "A,L2", "ignore": "R"}),
    (["check", "-f", "json", "--format", "sarif"], {"fmt": "sarif"}),  # given twice: the last counts
    (["check", "--select", "-A"], {"select": "-A"}),  # a value is the next token, whatever it looks like
    (["check", "--", "--strict"], {"plan": "--strict"}),  # after --, arguments only
    (["check", "-"], {"plan": "-"}),
    (["check", "--set", "a=1", "--set=b=2", "--scenario", "s"], {"sets": ["a=1", "b=2"], "scenario": ["s"]}),
])
def test_check_lines_give_every_keyword_of_the_body(argv, given):
    assert options.parse(argv) == Call("check", {**CHECK_DEFAULTS, **given})


def test_numbers_switch_clusters_and_required_options():
    init = options.parse(["init", "-y", "--quarters", "8", "--other-pipeline", "0.25"])
    assert init is not None and (init.kwargs["directory"], init.kwargs["yes"], init.kwargs["quarters"],
                                 init.kwargs["other_share"]) == ("plan", True, 8, 0.25)
    diff = options.parse(["diff", "--base", "HEAD~1", "--fail-on", "any-change"])
    assert diff is not None and (diff.kwargs["base"], diff.kwargs["fail_on"], diff.kwargs["head"]) == (
        "HEAD~1", "any-change", None)


@pytest.mark.parametrize("argv", [[], ["--help"], ["--version"], ["--version", "check"], ["check", "--help"],
                                  ["review", "-f", "pdf", "--help"], ["diff", "--help"]])
def test_help_and_version_are_left_to_typer(argv):
    assert options.parse(argv) is None


def test_every_command_of_the_declaration_has_an_example_of_itself():
    for name, command in options.COMMANDS.items():
        assert command.example.split()[:2] == ["gtmplan", name]
        keys = [p.key for p in command.params]
        assert len(keys) == len(set(keys)), name
        flags = [f for p in command.params for f in p.flags]
        assert len(flags) == len(set(flags)), name


@pytest.mark.parametrize("name", sorted(options.COMMANDS))
def test_every_declared_option_is_an_argument_of_its_command(name):
    # A Param added to options.py without its keyword in the command's function (cli.py or
    # fastpath.py) would show in --help and then fail with a traceback when given; and a
    # keyword without its Param could never be given. Both sides name the same keys.
    import inspect

    from gtmplan import cli

    declared = {p.key for p in options.COMMANDS[name].params}
    accepted = set(inspect.signature(cli.BODIES[name]).parameters)
    assert declared == accepted
