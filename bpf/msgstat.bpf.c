// SPDX-License-Identifier: GPL-2.0
/*
 * The eBPF message accounting of ordo-msgstat (Documentation/ordo-msgstat.rst).
 *
 * Wire probes: tc clsact ingress/egress (msgstat_tc_rx/_tx, Ethernet
 * devices) or cgroup_skb ingress/egress (msgstat_cg_rx/_tx). Each parses
 * IPv4 or IPv6 and UDP; a datagram whose payload does not start with the
 * ordo magic is left after one 4-byte load. An ordo datagram's clock
 * header is checked with ordo_wire_validate() and walked by its hdr_len
 * to the application header, checked with ordo_app_validate(): valid
 * ones are counted in msgs per protocol, type, direction, sender and
 * addresses; invalid ones in misc by reason, never in msgs.
 *
 * Stamp probe: the raw tracepoint ordo_lc_event of ordo.ko (no module BTF:
 * the TP_PROTO arguments are used directly) counts stamping events per
 * network namespace of the current task, event and node.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include <linux/ordo_wire.h>
#include <linux/ordo_app.h>

#include "msgstat.h"

#define ETH_HLEN	14
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86dd
#define IPPROTO_UDP_	17
#define IP_OFFSET_MASK	0x1fff
#define TC_ACT_UNSPEC_	(-1)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MSGSTAT_MAX_ENTRIES);
	__type(key, struct msgstat_key);
	__type(value, struct msgstat_val);
} msgs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MSGSTAT_MISC_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} misc SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct msgstat_stamp_key);
	__type(value, __u64);
} stamps SEC(".maps");

static __always_inline void misc_inc(__u32 dir, __u32 slot)
{
	__u32 k = msgstat_misc_slot(dir, slot);
	__u64 *c = bpf_map_lookup_elem(&misc, &k);

	if (c)
		*c += 1;
}

/* The ordo part: @off is the UDP payload's offset, @plen its length. */
static __always_inline void account_udp(struct __sk_buff *skb, __u32 off,
					__u32 plen, struct msgstat_key *key)
{
	__u8 hdr[ORDO_WIRE_FIXED_LEN] = {}, app[ORDO_APP_HDR_LEN] = {};
	struct msgstat_val *val, zero = {};
	__u32 alen;
	int ret;

	if (plen < 4 || bpf_skb_load_bytes(skb, off, hdr, 4))
		return;
	/* the cheap test that leaves everything else alone */
	if (hdr[0] != 'O' || hdr[1] != 'R' || hdr[2] != 'D' || hdr[3] != 'O')
		return;
	if (plen >= ORDO_WIRE_FIXED_LEN) {
		if (bpf_skb_load_bytes(skb, off, hdr, ORDO_WIRE_FIXED_LEN))
			return;
	} else if (plen >= ORDO_WIRE_PREFIX_LEN) {
		/* what validate reads beyond the prefix stays 0; it fails
		 * on the prefix (hdr_len) alone
		 */
		if (bpf_skb_load_bytes(skb, off, hdr, ORDO_WIRE_PREFIX_LEN))
			return;
	}
	ret = ordo_wire_validate(hdr, plen);
	if (ret < 0) {
		misc_inc(key->dir, MSGSTAT_WIRE_BAD + (__u32)(-ret - 1));
		return;
	}
	alen = plen - (__u32)ret;
	if (alen >= ORDO_APP_HDR_LEN) {
		if (bpf_skb_load_bytes(skb, off + (__u32)ret, app, ORDO_APP_HDR_LEN))
			return;
	} else if (alen) {
		if (bpf_skb_load_bytes(skb, off + (__u32)ret, app, 1))
			return;
	}
	if (!alen || app[ORDO_APP_OFF_VERSION] != ORDO_APP_VERSION) {
		/* a stamped datagram of some other application */
		key->cls = MSGSTAT_CLS_NOAPP;
		key->sender = ordo_wire_get32(hdr + ORDO_WIRE_OFF_NODE);
	} else {
		ret = ordo_app_validate(app, alen);
		if (ret < 0) {
			misc_inc(key->dir, MSGSTAT_APP_BAD + (__u32)(-ret - 1));
			return;
		}
		key->cls = MSGSTAT_CLS_APP;
		key->proto = app[ORDO_APP_OFF_PROTO];
		key->type = app[ORDO_APP_OFF_TYPE];
		key->sender = ordo_app_get32(app + ORDO_APP_OFF_SENDER);
	}
	val = bpf_map_lookup_elem(&msgs, key);
	if (!val) {
		bpf_map_update_elem(&msgs, key, &zero, BPF_NOEXIST);
		val = bpf_map_lookup_elem(&msgs, key);
		if (!val) {
			misc_inc(key->dir, MSGSTAT_OVERFLOW);
			return;
		}
	}
	val->packets += 1;
	val->bytes += plen;
	if (key->cls == MSGSTAT_CLS_APP) {
		if (app[ORDO_APP_OFF_FLAGS] & ORDO_APP_F_RETX)
			val->retx += 1;
		if (app[ORDO_APP_OFF_FLAGS] & ORDO_APP_F_OPDONE)
			val->opdone += 1;
	}
}

static __always_inline void account_v4(struct __sk_buff *skb, __u32 l3,
				       struct msgstat_key *key)
{
	struct iphdr ip;
	struct udphdr udp;
	__u32 ihl;

	if (bpf_skb_load_bytes(skb, l3, &ip, sizeof(ip)))
		return;
	if (ip.protocol != IPPROTO_UDP_)
		return;
	/* a later fragment: its datagram was seen with the first one */
	if (bpf_ntohs(ip.frag_off) & IP_OFFSET_MASK)
		return;
	ihl = ip.ihl * 4;
	if (ihl < sizeof(ip))
		return;
	if (bpf_skb_load_bytes(skb, l3 + ihl, &udp, sizeof(udp)))
		return;
	if (bpf_ntohs(udp.len) < sizeof(udp))
		return;
	key->family = MSGSTAT_AF_INET;
	key->saddr[10] = 0xff;
	key->saddr[11] = 0xff;
	key->daddr[10] = 0xff;
	key->daddr[11] = 0xff;
	__builtin_memcpy(key->saddr + 12, &ip.saddr, 4);
	__builtin_memcpy(key->daddr + 12, &ip.daddr, 4);
	account_udp(skb, l3 + ihl + sizeof(udp), bpf_ntohs(udp.len) - sizeof(udp), key);
}

#define NEXTHDR_HOP	0
#define NEXTHDR_ROUTING	43
#define NEXTHDR_FRAG	44
#define NEXTHDR_DEST	60
#define IPV6_MAX_EXT	4

static __always_inline void account_v6(struct __sk_buff *skb, __u32 l3,
				       struct msgstat_key *key)
{
	struct ipv6hdr ip6;
	struct udphdr udp;
	__u8 ext[8];
	__u32 off = l3 + sizeof(ip6), nh, i;

	if (bpf_skb_load_bytes(skb, l3, &ip6, sizeof(ip6)))
		return;
	nh = ip6.nexthdr;
	for (i = 0; i < IPV6_MAX_EXT; i++) {
		if (nh == IPPROTO_UDP_)
			break;
		if (nh != NEXTHDR_HOP && nh != NEXTHDR_ROUTING &&
		    nh != NEXTHDR_DEST && nh != NEXTHDR_FRAG)
			return;
		if (bpf_skb_load_bytes(skb, off, ext, sizeof(ext)))
			return;
		if (nh == NEXTHDR_FRAG) {
			/* fragment offset: 13 bits of bytes 2-3 */
			if (((__u32)ext[2] << 8 | ext[3]) & 0xfff8)
				return;
			off += 8;
		} else {
			off += ((__u32)ext[1] + 1) * 8;
		}
		nh = ext[0];
	}
	if (nh != IPPROTO_UDP_)
		return;
	if (bpf_skb_load_bytes(skb, off, &udp, sizeof(udp)))
		return;
	if (bpf_ntohs(udp.len) < sizeof(udp))
		return;
	key->family = MSGSTAT_AF_INET6;
	__builtin_memcpy(key->saddr, &ip6.saddr, 16);
	__builtin_memcpy(key->daddr, &ip6.daddr, 16);
	account_udp(skb, off + sizeof(udp), bpf_ntohs(udp.len) - sizeof(udp), key);
}

static __always_inline void account(struct __sk_buff *skb, __u32 l3, __u8 dir)
{
	struct msgstat_key key;

	__builtin_memset(&key, 0, sizeof(key));
	key.dir = dir;
	if (skb->protocol == bpf_htons(ETH_P_IP))
		account_v4(skb, l3, &key);
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		account_v6(skb, l3, &key);
}

SEC("tc")
int msgstat_tc_rx(struct __sk_buff *skb)
{
	account(skb, ETH_HLEN, MSGSTAT_RX);
	return TC_ACT_UNSPEC_;
}

SEC("tc")
int msgstat_tc_tx(struct __sk_buff *skb)
{
	account(skb, ETH_HLEN, MSGSTAT_TX);
	return TC_ACT_UNSPEC_;
}

SEC("cgroup_skb/ingress")
int msgstat_cg_rx(struct __sk_buff *skb)
{
	account(skb, 0, MSGSTAT_RX);
	return 1;
}

SEC("cgroup_skb/egress")
int msgstat_cg_tx(struct __sk_buff *skb)
{
	account(skb, 0, MSGSTAT_TX);
	return 1;
}

SEC("raw_tp/ordo_lc_event")
int BPF_PROG(msgstat_stamp, const void *d, u8 event, u32 from)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct msgstat_stamp_key k = {
		.netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum),
		.event = event,
		.node = from,
	};
	__u64 *c, zero = 0;

	if (k.event >= MSGSTAT_NR_ST)
		return 0;
	c = bpf_map_lookup_elem(&stamps, &k);
	if (!c) {
		/* another CPU may have inserted it meanwhile: then ours
		 * fails and the lookup finds it
		 */
		bpf_map_update_elem(&stamps, &k, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&stamps, &k);
		if (!c)
			return 0;
	}
	*c += 1;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
