function __qdb_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __qdb_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __qdb_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __qdb_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __qdb_parse_tokens -S
    set -l unparsed_tokens (__qdb_tokens -pc)
    switch $unparsed_tokens[1]
    case 'qdb'
        __qdb_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'serve'
            __qdb_parse_subcommand 0 'config=' 'storage=' 'snapshots-path=' 'host=' 'http-port=' 'grpc-port=' 'api-key=' 'read-only-api-key=' 'log-level=' 'log-format=' 'snapshot=+' 'storage-snapshot=' 'f/force-snapshot' 'version' 'h/help'
        case 'snapshot'
            __qdb_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'create'
                __qdb_parse_subcommand 1 'o/output=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
            case 'list'
                __qdb_parse_subcommand 1 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
            case 'download'
                __qdb_parse_subcommand 2 'o/output=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
            case 'delete'
                __qdb_parse_subcommand 2 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
            case 'partial'
                __qdb_parse_subcommand 1 'shard=' 'manifest=' 'o/output=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
            case 'full'
                __qdb_parse_subcommand 0 'version' 'h/help'
                switch $unparsed_tokens[1]
                case 'create'
                    __qdb_parse_subcommand 0 'o/output=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
                case 'list'
                    __qdb_parse_subcommand 0 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
                case 'download'
                    __qdb_parse_subcommand 1 'o/output=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
                case 'delete'
                    __qdb_parse_subcommand 1 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
                end
            end
        case 'shard'
            __qdb_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'snapshot'
                __qdb_parse_subcommand 0 'version' 'h/help'
                switch $unparsed_tokens[1]
                case 'create'
                    __qdb_parse_subcommand 1 'shard=' 'o/output=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
                case 'list'
                    __qdb_parse_subcommand 1 'shard=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
                case 'download'
                    __qdb_parse_subcommand 2 'shard=' 'o/output=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
                case 'delete'
                    __qdb_parse_subcommand 2 'shard=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
                case 'recover'
                    __qdb_parse_subcommand 2 'shard=' 'checksum=' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
                end
            end
        case 'restore'
            __qdb_parse_subcommand 1 'collection=' 'full' 'partial' 'shard=' 'checksum=' 'force' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
        case 'verify'
            __qdb_parse_subcommand -r 1 'checksum=' 'deep' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
        case 'manifest'
            __qdb_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'show'
                __qdb_parse_subcommand 1 'shard=' 'file' 'storage=' 'snapshots-path=' 'url=' 'api-key=' 'version' 'h/help'
            case 'diff'
                __qdb_parse_subcommand 2 'exit-code' 'json' 'q/quiet' 'progress=' 'version' 'h/help'
            end
        case 'help'
            __qdb_parse_subcommand -r 1 'version'
        end
    end
end

function __qdb_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __qdb_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __qdb_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __qdb_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__qdb_tokens -p)
    if test -z "$(__qdb_tokens -t)"
        set -l index (count (__qdb_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'qdb' -f
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb" -eq 1' -fa 'serve' -d 'Run the Qdrant-compatible REST and gRPC server on a storage directory.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb" -eq 1' -fa 'snapshot' -d 'Create, list, download and delete collection and full-storage snapshots.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb" -eq 1' -fa 'shard' -d 'Shard snapshots: create, list, download, delete, recover.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb" -eq 1' -fa 'restore' -d 'Restore a collection, a full storage or a partial shard snapshot from a file, URL (file, http(s), s3) or stdin.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb" -eq 1' -fa 'verify' -d 'Verify snapshot archives: structure, per-entry SHA-256 (qdb.json), and sidecar checksum.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb" -eq 1' -fa 'manifest' -d 'Print a shard\'s manifest, the manifest inside a snapshot, or what differs between two.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" config' -l 'config' -d 'YAML config file with Qdrant\'s keys (service.*, storage.*, log_level).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" storage' -l 'storage' -d 'Storage directory (storage.storage_path).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" snapshots-path' -l 'snapshots-path' -d 'Snapshots directory (storage.snapshots_path).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" host' -l 'host' -d 'Address to listen on (service.host).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" http-port' -l 'http-port' -d 'REST port (service.http_port).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" grpc-port' -l 'grpc-port' -d 'gRPC port (service.grpc_port, default 6334; 0 disables gRPC).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" api-key' -l 'api-key' -d 'API key with full access (service.api_key).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" read-only-api-key' -l 'read-only-api-key' -d 'API key with read access (service.read_only_api_key).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" log-level' -l 'log-level' -d 'trace|debug|info|notice|warning|error|critical (log_level).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" log-format' -l 'log-format' -d 'text|json: one line per request and snapshot operation on stderr (logger.format).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve"' -l 'snapshot' -l 'collection-snapshot' -d 'Restore FILE into collection NAME before serving (FILE:NAME, split at the last colon; repeatable).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" storage-snapshot' -l 'storage-snapshot' -d 'Restore a full-storage snapshot before serving (--snapshot is then ignored).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" f force-snapshot' -s 'f' -l 'force-snapshot' -d 'Let --snapshot/--storage-snapshot replace existing collections and aliases.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot" -eq 1' -fa 'create' -d 'Snapshot a collection into the snapshots directory, or stream it with -o.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot" -eq 1' -fa 'list' -d 'List a collection\'s snapshots.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot" -eq 1' -fa 'download' -d 'Copy a stored snapshot to FILE or stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot" -eq 1' -fa 'delete' -d 'Delete a stored snapshot and its sidecar.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot" -eq 1' -fa 'partial' -d 'Write a partial snapshot of one shard: only what the holder of a manifest lacks.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot" -eq 1' -fa 'full' -d 'Full-storage snapshots: every collection and alias in one archive.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot create" -eq 1' -fka '(__qdb_custom_completion ---completion snapshot create -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" o output' -s 'o' -l 'output' -d 'Write the archive to FILE, or - for stdout, instead of storing it.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot list" -eq 1' -fka '(__qdb_custom_completion ---completion snapshot list -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot list" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot list" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot list" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot list" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot list" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot list" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot list" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot list" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot download" -eq 1' -fka '(__qdb_custom_completion ---completion snapshot download -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" o output' -s 'o' -l 'output' -d 'FILE, or - for stdout.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot download" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot delete" -eq 1' -fka '(__qdb_custom_completion ---completion snapshot delete -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot delete" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot delete" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot delete" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot delete" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot delete" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot delete" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot delete" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot delete" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot partial" -eq 1' -fka '(__qdb_custom_completion ---completion snapshot partial -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" shard' -l 'shard' -d 'Shard id.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" manifest' -l 'manifest' -d 'The holder\'s manifest: a JSON file, or - for stdin (default).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" o output' -s 'o' -l 'output' -d 'Where to write the archive: a new file, or - for stdout (default).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot partial" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot full" -eq 1' -fa 'create' -d 'Create a full-storage snapshot.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot full" -eq 1' -fa 'list' -d 'List full-storage snapshots.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot full" -eq 1' -fa 'download' -d 'Copy a full-storage snapshot to FILE or stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb snapshot full" -eq 1' -fa 'delete' -d 'Delete a full-storage snapshot.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" o output' -s 'o' -l 'output' -d 'FILE, or - for stdout, instead of storing it.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full list" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full list" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full list" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full list" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full list" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full list" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full list" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full list" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" o output' -s 'o' -l 'output' -d 'FILE, or - for stdout.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full download" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full delete" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full delete" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full delete" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full delete" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full delete" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full delete" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full delete" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full delete" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb snapshot full delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard" -eq 1' -fa 'snapshot' -d 'Snapshots of one shard.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot" -eq 1' -fa 'create' -d 'Snapshot one shard, stored or streamed with -o.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot" -eq 1' -fa 'list' -d 'List one shard\'s snapshots.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot" -eq 1' -fa 'download' -d 'Copy a stored shard snapshot to FILE or stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot" -eq 1' -fa 'delete' -d 'Delete a stored shard snapshot.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot" -eq 1' -fa 'recover' -d 'Replace one shard\'s data from a shard snapshot (path, file:// or -).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot create" -eq 1' -fka '(__qdb_custom_completion ---completion shard snapshot create -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" shard' -l 'shard' -d 'Shard id.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" o output' -s 'o' -l 'output' -d 'FILE, or - for stdout, instead of storing it.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot create" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot list" -eq 1' -fka '(__qdb_custom_completion ---completion shard snapshot list -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" shard' -l 'shard' -d 'Shard id.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot download" -eq 1' -fka '(__qdb_custom_completion ---completion shard snapshot download -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" shard' -l 'shard' -d 'Shard id.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" o output' -s 'o' -l 'output' -d 'FILE, or - for stdout.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot download" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot delete" -eq 1' -fka '(__qdb_custom_completion ---completion shard snapshot delete -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" shard' -l 'shard' -d 'Shard id.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot delete" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb shard snapshot recover" -eq 1' -fka '(__qdb_custom_completion ---completion shard snapshot recover -- positional@0 (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" shard' -l 'shard' -d 'Shard id.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" checksum' -l 'checksum' -d 'Expected SHA-256 of the whole archive.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb shard snapshot recover" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" collection' -l 'collection' -d 'Collection to restore into (a collection snapshot).' -rfka '(__qdb_custom_completion ---completion restore -- --collection (count (__qdb_tokens -pc)) (__qdb_tokens -tC))'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" full' -l 'full' -d 'The archive is a full-storage snapshot: restore every collection and alias in it.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" partial' -l 'partial' -d 'The archive is a partial snapshot (qdb snapshot partial): apply it to --shard of --collection. An empty stream means nothing to apply (exit 3).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" shard' -l 'shard' -d 'Shard id (with --partial).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" checksum' -l 'checksum' -d 'Expected SHA-256 of the whole archive.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" force' -l 'force' -d 'Replace the collection if it exists.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb restore" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb verify" checksum' -l 'checksum' -d 'Expected SHA-256 (for a single archive or stdin).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb verify" deep' -l 'deep' -d 'Also load each collection in a staging directory and count its points.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb verify" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb verify" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb verify" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb verify" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb verify" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb manifest" -eq 1' -fa 'show' -d 'Print the manifest of a shard (with --shard) or of a snapshot file or stdin (-).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_positional "qdb manifest" -eq 1' -fa 'diff' -d 'Show what a partial snapshot from NEW to a holder of OLD would carry and delete.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest show" shard' -l 'shard' -d 'Shard id: read the live shard of collection SOURCE (or this shard of a collection snapshot file).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest show" file' -l 'file' -d 'SOURCE is a snapshot file even though --shard is given (a collection snapshot).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest show" storage' -l 'storage' -d 'Storage directory to work on offline (env QDB_STORAGE; default ./storage).' -rfa '(__qdb_complete_directories)'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest show" from snapshots-path to' -l 'snapshots-path' -l 'to' -l 'from' -d 'Snapshots directory, or s3://BUCKET[/PREFIX] for keys PREFIX/snapshots/... (env QDB_SNAPSHOTS; default ./snapshots). S3 uses AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest show" url' -l 'url' -d 'URL of a running qdb serve or Qdrant (env QDB_URL); the command then works over REST.' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest show" api-key' -l 'api-key' -d 'API key for --url (env QDB_API_KEY).' -rfka ''
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest show" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest diff" exit-code' -l 'exit-code' -d 'Exit with 1 when the manifests differ (as git diff --exit-code).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest diff" json' -l 'json' -d 'Print one JSON document on stdout.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest diff" q quiet' -s 'q' -l 'quiet' -d 'Print nothing but data and errors (no progress).'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest diff" progress' -l 'progress' -d 'Progress of long transfers on stderr: auto (a bar when stderr is a terminal), bar, json (JSON Lines), none.' -rfka 'auto bar json none'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest diff" version' -l 'version' -d 'Show the version.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb manifest diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'qdb' -n '__qdb_should_offer_completions_for_flags_or_options "qdb help" version' -l 'version' -d 'Show the version.'
