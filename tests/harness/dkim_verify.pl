#!/usr/bin/perl
# Independent DKIM verifier #2 for tests and the demo: Mail::DKIM
# (libmail-dkim-perl), keys from the loopback DNS server. Debian 12's
# Mail::DKIM 1.20230212 has no Ed25519 (RFC 8463): such signatures are printed
# as "unsupported" and neither pass nor fail here (dkimpy checks them).
# Usage: dkim_verify.pl --dns PORT [--all] [--algos a,b] FILE...
#   prints "FILE pass|fail|none a=ALGO d=DOMAIN s=SELECTOR (detail)" per
#   signature; exit 0 when every FILE has at least one valid signature
#   (--all: every signature valid; --algos: these algorithms present and valid).
use strict;
use warnings;
use Getopt::Long;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS::Resolver;

my ($port, $all, $algos) = (0, 0, '');
GetOptions('dns=i' => \$port, 'all' => \$all, 'algos=s' => \$algos) && $port && @ARGV
    or die "usage: $0 --dns PORT [--all] [--algos a,b] FILE...\n";
Mail::DKIM::DNS::resolver(Net::DNS::Resolver->new(
    nameservers => ['127.0.0.1'], port => $port, recurse => 1,
    tcp_timeout => 5, udp_timeout => 5, retry => 2));
my %wanted = map { $_ => 1 } grep { length && $_ ne 'ed25519-sha256' } split /,/, $algos;

my $ok_files = 0;
for my $path (@ARGV) {
    open(my $fh, '<:raw', $path) or die "$path: $!\n";
    my $v = Mail::DKIM::Verifier->new();
    while (my $line = <$fh>) {
        # Mail::DKIM wants CRLF line ends, as on the wire.
        $line =~ s/\r?\n\z/\r\n/;
        $v->PRINT($line);
    }
    close $fh;
    $v->CLOSE();
    my @sigs = $v->signatures;
    unless (@sigs) {
        print "$path none\n";
        next;
    }
    my (%good, $all_good);
    $all_good = 1;
    for my $s (@sigs) {
        my $r = $s->result;
        my $detail = $s->result_detail // '';
        if ($s->algorithm eq 'ed25519-sha256' && $detail =~ /unsupported algorithm/) {
            printf "%s unsupported a=%s d=%s s=%s\n", $path, $s->algorithm, $s->domain, $s->selector;
            next;
        }
        printf "%s %s a=%s d=%s s=%s (%s)\n", $path, $r, $s->algorithm, $s->domain,
            $s->selector, $detail;
        if ($r eq 'pass') { $good{$s->algorithm} = 1 } else { $all_good = 0 }
    }
    my $have_wanted = !grep { !$good{$_} } keys %wanted;
    # A message with only unsupported (Ed25519) signatures is not counted as verified.
    $ok_files++ if %good && ($all_good || !$all) && $have_wanted;
}
printf "Mail::DKIM: verified %d of %d messages\n", $ok_files, scalar @ARGV;
exit($ok_files == @ARGV ? 0 : 1);
