"""click's own words, marked so that the catalog translates them (see cli/main.py).

Generated from click 8.5.1's sources: its messages are gettext calls in the
default domain, which the CLI points at qmsdocs's catalog.
"""

from qmsdocs.i18n import N_, ngettext

__all__ = ["CLICK_MESSAGES"]

CLICK_MESSAGES = [
    N_("Aborted!"),
    N_("deprecated"),
    N_("Missing command."),
    N_("Options"),
    N_("Positional arguments"),
    N_("DeprecationWarning: The command {name!r} is deprecated.{extra_message}"),
    N_("Commands"),
    N_("Value must be an iterable."),
    N_("DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}"),
    N_("Could not determine name for option with declarations {decls!r}"),
    N_(
        "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you mean to pass '--{name}'?"
    ),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("Arguments take exactly one parameter declaration, got {length}: {decls}."),
    N_("(dynamic)"),
    N_("Name '{name}' defined twice"),
    N_("Boolean option {decl!r} cannot use the same flag for true/false."),
    N_("Missing argument"),
    N_("unknown error"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing option"),
    N_("Could not open file {filename!r}: {message}"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Missing parameter"),
    N_("Missing parameter: {param_name}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Invalid value: {message}"),
    N_("Missing {param_type}"),
    N_("Invalid start character for option ({option})"),
    N_("Option {name!r} does not take a value."),
    N_("Argument {name!r} takes {nargs} values."),
    N_("Usage:"),
    N_("file"),
    N_("Choose from:\n\t{choices}"),
    N_("Choice({choices})"),
    N_("directory"),
    N_("path"),
    N_("{value} is not in the range {range}."),
    N_("{value!r} is not a valid boolean. Recognized values: {states}"),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value!r} is not a valid UUID."),
    N_("{name} {filename!r} is a file."),
    N_("{name} {filename!r} is a directory."),
    N_("{name} {filename!r} is not readable."),
    N_("{name} {filename!r} is not writable."),
    N_("{name} {filename!r} is not executable."),
    N_("{name} {filename!r} does not exist."),
    N_("Do you want to continue?"),
    N_("Confirm the action without prompting."),
    N_("%(prog)s, version %(version)s"),
    N_("Show the version and exit."),
    N_("Show this message and exit."),
]


def _plurals(n: int) -> list[str]:
    """Name click's plural messages for extraction (never called)."""
    return [
        ngettext(
            "Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})", n
        ),
        ngettext(
            "Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given.", n
        ),
        ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", n),
        ngettext(
            "Option {name!r} requires an argument.",
            "Option {name!r} requires {nargs} arguments.",
            n,
        ),
        ngettext("{value!r} is not {choice}.", "{value!r} is not one of {choices}.", n),
        ngettext(
            "{value!r} does not match the format {format}.",
            "{value!r} does not match the formats {formats}.",
            n,
        ),
        ngettext(
            "{len_type} values are required, but {len_value} was given.",
            "{len_type} values are required, but {len_value} were given.",
            n,
        ),
    ]
