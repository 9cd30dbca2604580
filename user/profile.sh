# user/profile.sh - installed as /etc/profile, which the login shell
# (busybox ash, started by init as "-sh") reads at boot.
#
# ash has a built-in `help` that lists its own commands; a function comes
# before a built-in, so `help` runs /bin/help, the list of Pagoda's tools
# and demos. `busybox --list` still names every busybox command.
help() { /bin/help "$@"; }
