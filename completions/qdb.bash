#!/bin/bash

__qdb_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__qdb_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__qdb_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__qdb_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_qdb() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(--version -h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __qdb_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    serve|snapshot|shard|restore|verify|manifest|prune|operation|help)
        # Offer subcommand argument completions
        "_qdb_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'serve snapshot shard restore verify manifest prune operation help' -- "${cur}"))
        ;;
    esac
}

_qdb_serve() {
    repeating_flags=()
    non_repeating_flags=(-f --force-snapshot --version -h --help)
    repeating_options=(--snapshot --collection-snapshot)
    non_repeating_options=(--config --storage --snapshots-path --host --http-port --grpc-port --api-key --read-only-api-key --log-level --schedules --log-format --storage-snapshot)
    __qdb_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--config')
        return
        ;;
    '--storage')
        return
        ;;
    '--snapshots-path')
        return
        ;;
    '--host')
        return
        ;;
    '--http-port')
        return
        ;;
    '--grpc-port')
        return
        ;;
    '--api-key')
        return
        ;;
    '--read-only-api-key')
        return
        ;;
    '--log-level')
        return
        ;;
    '--schedules')
        return
        ;;
    '--log-format')
        return
        ;;
    '--snapshot'|'--collection-snapshot')
        return
        ;;
    '--storage-snapshot')
        return
        ;;
    esac
}

_qdb_snapshot() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __qdb_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|download|delete|partial|full)
        # Offer subcommand argument completions
        "_qdb_snapshot_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list download delete partial full' -- "${cur}"))
        ;;
    esac
}

_qdb_snapshot_create() {
    repeating_flags=()
    non_repeating_flags=(--no-wait --json -q --quiet --version -h --help)
    repeating_options=(--label)
    non_repeating_options=(-o --output --compress --description --metrics-textfile --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-o'|'--output')
        return
        ;;
    '--compress')
        __qdb_add_completions -W 'none'$'\n''zstd'
        return
        ;;
    '--description')
        return
        ;;
    '--label')
        return
        ;;
    '--metrics-textfile')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion snapshot create -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_snapshot_list() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion snapshot list -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_snapshot_download() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(-o --output --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '-o'|'--output')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion snapshot download -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_snapshot_delete() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion snapshot delete -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_snapshot_partial() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--shard --manifest -o --output --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--shard')
        return
        ;;
    '--manifest')
        return
        ;;
    '-o'|'--output')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion snapshot partial -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_snapshot_full() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __qdb_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|download|delete)
        # Offer subcommand argument completions
        "_qdb_snapshot_full_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list download delete' -- "${cur}"))
        ;;
    esac
}

_qdb_snapshot_full_create() {
    repeating_flags=()
    non_repeating_flags=(--no-wait --json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(-o --output --compress --metrics-textfile --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '-o'|'--output')
        return
        ;;
    '--compress')
        __qdb_add_completions -W 'none'$'\n''zstd'
        return
        ;;
    '--metrics-textfile')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_snapshot_full_list() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_snapshot_full_download() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(-o --output --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '-o'|'--output')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_snapshot_full_delete() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_shard() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __qdb_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    snapshot)
        # Offer subcommand argument completions
        "_qdb_shard_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'snapshot' -- "${cur}"))
        ;;
    esac
}

_qdb_shard_snapshot() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __qdb_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|download|delete|recover)
        # Offer subcommand argument completions
        "_qdb_shard_snapshot_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list download delete recover' -- "${cur}"))
        ;;
    esac
}

_qdb_shard_snapshot_create() {
    repeating_flags=()
    non_repeating_flags=(--no-wait --json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--shard -o --output --compress --metrics-textfile --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--shard')
        return
        ;;
    '-o'|'--output')
        return
        ;;
    '--compress')
        __qdb_add_completions -W 'none'$'\n''zstd'
        return
        ;;
    '--metrics-textfile')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion shard snapshot create -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_shard_snapshot_list() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--shard --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--shard')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion shard snapshot list -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_shard_snapshot_download() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--shard -o --output --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--shard')
        return
        ;;
    '-o'|'--output')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion shard snapshot download -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_shard_snapshot_delete() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--shard --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--shard')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion shard snapshot delete -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_shard_snapshot_recover() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--shard --checksum --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--shard')
        return
        ;;
    '--checksum')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion shard snapshot recover -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_restore() {
    repeating_flags=()
    non_repeating_flags=(--full --partial --force --json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--collection --shard --checksum --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--collection')
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion restore -- --collection "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    '--shard')
        return
        ;;
    '--checksum')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_verify() {
    repeating_flags=()
    non_repeating_flags=(--deep --record --json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--checksum --metrics-textfile --progress)
    __qdb_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--checksum')
        return
        ;;
    '--metrics-textfile')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_manifest() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __qdb_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    show|diff)
        # Offer subcommand argument completions
        "_qdb_manifest_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'show diff' -- "${cur}"))
        ;;
    esac
}

_qdb_manifest_show() {
    repeating_flags=()
    non_repeating_flags=(--file --version -h --help)
    repeating_options=()
    non_repeating_options=(--shard --storage --snapshots-path --to --from --url --api-key)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--shard')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    esac
}

_qdb_manifest_diff() {
    repeating_flags=()
    non_repeating_flags=(--exit-code --json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--progress)
    __qdb_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_prune() {
    repeating_flags=()
    non_repeating_flags=(--full --dry-run --json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--keep-last --keep-hourly --keep-daily --keep-weekly --keep-monthly --keep-yearly --keep-within --lock-wait --lease-ttl --metrics-textfile --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--keep-last')
        return
        ;;
    '--keep-hourly')
        return
        ;;
    '--keep-daily')
        return
        ;;
    '--keep-weekly')
        return
        ;;
    '--keep-monthly')
        return
        ;;
    '--keep-yearly')
        return
        ;;
    '--keep-within')
        return
        ;;
    '--lock-wait')
        return
        ;;
    '--lease-ttl')
        return
        ;;
    '--metrics-textfile')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    *)
        __qdb_add_completions -W "$(__qdb_custom_complete ---completion prune -- positional@0 "${COMP_CWORD}" "$(__qdb_cursor_index_in_current_word)")"
        return
        ;;
    esac
}

_qdb_operation() {
    repeating_flags=()
    non_repeating_flags=(--version -h --help)
    repeating_options=()
    non_repeating_options=()
    __qdb_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|status|cancel)
        # Offer subcommand argument completions
        "_qdb_operation_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list status cancel' -- "${cur}"))
        ;;
    esac
}

_qdb_operation_list() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_operation_status() {
    repeating_flags=()
    non_repeating_flags=(--follow --json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--interval --storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--interval')
        return
        ;;
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_operation_cancel() {
    repeating_flags=()
    non_repeating_flags=(--json -q --quiet --version -h --help)
    repeating_options=()
    non_repeating_options=(--storage --snapshots-path --to --from --url --api-key --progress)
    __qdb_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--storage')
        __qdb_add_completions -d
        return
        ;;
    '--snapshots-path'|'--to'|'--from')
        return
        ;;
    '--url')
        return
        ;;
    '--api-key')
        return
        ;;
    '--progress')
        __qdb_add_completions -W 'auto'$'\n''bar'$'\n''json'$'\n''none'
        return
        ;;
    esac
}

_qdb_help() {
    repeating_flags=()
    non_repeating_flags=(--version)
    repeating_options=()
    non_repeating_options=()
    __qdb_offer_flags_options -1
}

complete -o filenames -F _qdb qdb
