# Plays systemd's part in socket activation for the end-to-end tests: makes one socket, hands it
# over as fd 3 with LISTEN_FDS=1 and LISTEN_PID set to its own pid, and exec's the command, which
# keeps that pid. It first prints "listen-fds: inode=N", the socket's inode, so a test can check
# that the server serves on this very socket.
#
#   perl listen-fds.pl tcp 127.0.0.1 PORT -- COMMAND...              a listening TCP socket
#   perl listen-fds.pl tcp-unlistened 127.0.0.1 PORT -- COMMAND...   bound, not listening
#   perl listen-fds.pl unix PATH - -- COMMAND...                     a listening unix socket
use strict;
use warnings;
use Fcntl qw(F_SETFD);
use POSIX ();
use Socket qw(PF_INET PF_UNIX SOCK_STREAM SOL_SOCKET SO_REUSEADDR inet_aton pack_sockaddr_in pack_sockaddr_un);

my ($kind, $address, $port, $separator, @command) = @ARGV;
die "usage: listen-fds.pl tcp|tcp-unlistened|unix ADDRESS PORT -- COMMAND...\n"
    unless defined $separator && $separator eq '--' && @command;
# A job started in the background by a non-interactive shell has SIGINT ignored, and an ignored
# signal stays ignored across exec: the server would install no handler.
$SIG{INT} = 'DEFAULT';

my $socket;
if ($kind eq 'unix') {
    socket($socket, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!";
    bind($socket, pack_sockaddr_un($address)) or die "bind $address: $!";
    listen($socket, 128) or die "listen: $!";
} else {
    socket($socket, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
    setsockopt($socket, SOL_SOCKET, SO_REUSEADDR, 1) or die "setsockopt: $!";
    bind($socket, pack_sockaddr_in($port, inet_aton($address))) or die "bind $address:$port: $!";
    if ($kind eq 'tcp') {
        listen($socket, 1024) or die "listen: $!";
    }
}
my $inode = (stat($socket))[1];
$| = 1;
print "listen-fds: inode=$inode\n";

if (fileno($socket) != 3) {
    defined POSIX::dup2(fileno($socket), 3) or die "dup2: $!";
    close($socket);
}
# Perl marks the descriptors it opens close-on-exec; the server must inherit this one.
open(my $fd3, '+<&=', 3) or die "fd 3: $!";
fcntl($fd3, F_SETFD, 0) or die "fcntl: $!";
$ENV{LISTEN_FDS} = 1;
$ENV{LISTEN_PID} = $$;
exec { $command[0] } @command or die "exec $command[0]: $!";
