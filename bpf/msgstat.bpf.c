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
 * ones are counted per protocol, type, direction, sender and addresses,
 * in slots (a per-CPU array) or, when the key's slot is taken, in msgs;
 * invalid ones in misc by reason, never as messages. The common case
 * (headers in the linear data, no IPv6 extension header, the key in its
 * slot) reads the packet directly and makes one helper call, the slot's
 * array lookup: a hash lookup per datagram cost more than a third of the
 * stamped-UDP rate in the test VM (tests/bench/msgstat_overhead).
 *
 * Stamp probe: the raw tracepoint ordo_lc_event of ordo.ko (no module BTF:
 * the TP_PROTO arguments are used directly) counts stamping events per
 * network namespace of the current task and event: in stamp_cnt for the
 * namespaces the tool attached to (stamp_ns[]), in stamps for others.
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
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MSGSTAT_NR_SLOTS);
	__type(key, __u32);
	__type(value, struct msgstat_slot);
} slots SEC(".maps");

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
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MSGSTAT_STAMP_NS * MSGSTAT_ST_STRIDE);
	__type(key, __u32);
	__type(value, __u64);
} stamp_cnt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct msgstat_stamp_key);
	__type(value, __u64);
} stamps SEC(".maps");

/* the network namespaces counted in stamp_cnt; 0: unused (the tool writes it) */
__u32 stamp_ns[MSGSTAT_STAMP_NS];

static __always_inline void misc_inc(__u32 dir, __u32 slot)
{
	__u32 k = msgstat_misc_slot(dir, slot);
	__u64 *c = bpf_map_lookup_elem(&misc, &k);

	if (c)
		*c += 1;
}

_Static_assert(sizeof(struct msgstat_key) == 6 * sizeof(__u64),
	       "key_eq() compares six words, all of them the key's");

static __always_inline int key_eq(const struct msgstat_key *a, const struct msgstat_key *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3] &&
	       x[4] == y[4] && x[5] == y[5];
}

/* packets last: a reader copies it first (struct msgstat_slot) */
static __always_inline void val_add(struct msgstat_val *val, __u32 plen, __u8 flags)
{
	val->bytes += plen;
	if (flags & ORDO_APP_F_RETX)
		val->retx += 1;
	/* an operation once: not its retransmissions */
	if ((flags & (ORDO_APP_F_OPDONE | ORDO_APP_F_RETX)) == ORDO_APP_F_OPDONE)
		val->opdone += 1;
	val->packets += 1;
}

/*
 * Count one valid ordo datagram of @plen payload bytes, application header
 * flags @flags: in the key's slot when it owns it or it is free (one array
 * lookup), else in msgs.
 */
static __always_inline void count_msg(struct msgstat_key *key, __u32 plen, __u8 flags)
{
	struct msgstat_val *val, zero = {};
	struct msgstat_slot *sl;
	__u32 idx = msgstat_slot_idx(key);

	sl = bpf_map_lookup_elem(&slots, &idx);
	if (sl) {
		if (sl->val.packets && key_eq(&sl->key, key)) {
			val_add(&sl->val, plen, flags);
			return;
		}
		if (!sl->val.packets) {
			/* the tool skips a slot with packets 0: the key
			 * first, then the counts
			 */
			__builtin_memcpy(&sl->key, key, sizeof(*key));
			sl->val.bytes = 0;
			sl->val.retx = 0;
			sl->val.opdone = 0;
			asm volatile("" ::: "memory");
			val_add(&sl->val, plen, flags);
			return;
		}
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
	val_add(val, plen, flags);
}

/*
 * The ordo part: @ret is ordo_wire_validate() of the clock header @hdr;
 * when it is valid, @app holds the first min(alen, 16) bytes after it
 * (the rest 0).
 */
static __always_inline void account_ordo(struct msgstat_key *key, const __u8 *hdr,
					 const __u8 *app, __u32 plen, int ret)
{
	__u32 alen;

	if (ret < 0) {
		misc_inc(key->dir, MSGSTAT_WIRE_BAD + (__u32)(-ret - 1));
		return;
	}
	alen = plen - (__u32)ret;
	if (!alen || app[ORDO_APP_OFF_VERSION] != ORDO_APP_VERSION) {
		/* a stamped datagram of some other application */
		key->cls = MSGSTAT_CLS_NOAPP;
		key->sender = ordo_wire_get32(hdr + ORDO_WIRE_OFF_NODE);
		count_msg(key, plen, 0);
		return;
	}
	ret = ordo_app_validate(app, alen);
	if (ret < 0) {
		misc_inc(key->dir, MSGSTAT_APP_BAD + (__u32)(-ret - 1));
		return;
	}
	key->cls = MSGSTAT_CLS_APP;
	key->proto = app[ORDO_APP_OFF_PROTO];
	key->type = app[ORDO_APP_OFF_TYPE];
	key->sender = ordo_app_get32(app + ORDO_APP_OFF_SENDER);
	count_msg(key, plen, app[ORDO_APP_OFF_FLAGS]);
}

/*
 * The slow path: the UDP payload at @off, @plen bytes, copied with
 * bpf_skb_load_bytes() (a datagram whose headers are not all in the
 * linear data).
 */
static __always_inline void account_udp(struct __sk_buff *skb, __u32 off,
					__u32 plen, struct msgstat_key *key)
{
	__u8 hdr[ORDO_WIRE_FIXED_LEN] = {}, app[ORDO_APP_HDR_LEN] = {};
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
	if (ret >= 0) {
		alen = plen - (__u32)ret;
		if (alen >= ORDO_APP_HDR_LEN) {
			if (bpf_skb_load_bytes(skb, off + (__u32)ret, app, ORDO_APP_HDR_LEN))
				return;
		} else if (alen) {
			if (bpf_skb_load_bytes(skb, off + (__u32)ret, app, 1))
				return;
		}
	}
	account_ordo(key, hdr, app, plen, ret);
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

/* keeps clang from dropping a bounds check that the verifier needs */
#define opaque(x)	asm volatile("" : "+r"(x))

/*
 * The fast path, with direct packet access: no helper call but the map
 * lookup. Returns 0 when the datagram was dealt with (counted, malformed
 * or not an ordo datagram), 1 when what it needs is not all in the linear
 * data or sits behind IPv6 extension headers: then the slow path
 * (account_v4(), account_v6()) copies it with bpf_skb_load_bytes().
 */
static __always_inline int account_direct(struct __sk_buff *skb, __u32 l3,
					  struct msgstat_key *key)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;
	__u8 app[ORDO_APP_HDR_LEN] = {};
	struct udphdr *udp;
	const __u8 *p;
	__u32 plen, hlen, alen;
	int ret;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + l3;
		__u32 ihl;

		if ((void *)(ip + 1) > end)
			return 1;
		if (ip->protocol != IPPROTO_UDP_)
			return 0;
		/* a later fragment: its datagram was seen with the first one */
		if (bpf_ntohs(ip->frag_off) & IP_OFFSET_MASK)
			return 0;
		ihl = ip->ihl * 4;
		if (ihl < sizeof(*ip))
			return 0;
		udp = (void *)ip + ihl;
		if ((void *)(udp + 1) > end)
			return 1;
		key->family = MSGSTAT_AF_INET;
		key->saddr[10] = 0xff;
		key->saddr[11] = 0xff;
		key->daddr[10] = 0xff;
		key->daddr[11] = 0xff;
		__builtin_memcpy(key->saddr + 12, &ip->saddr, 4);
		__builtin_memcpy(key->daddr + 12, &ip->daddr, 4);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) > end)
			return 1;
		if (ip6->nexthdr != IPPROTO_UDP_)
			/* extension headers: the slow path walks them */
			return ip6->nexthdr == NEXTHDR_HOP ||
			       ip6->nexthdr == NEXTHDR_ROUTING ||
			       ip6->nexthdr == NEXTHDR_DEST ||
			       ip6->nexthdr == NEXTHDR_FRAG;
		udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > end)
			return 1;
		key->family = MSGSTAT_AF_INET6;
		__builtin_memcpy(key->saddr, &ip6->saddr, 16);
		__builtin_memcpy(key->daddr, &ip6->daddr, 16);
	} else {
		return 0;
	}
	plen = bpf_ntohs(udp->len);
	if (plen < sizeof(*udp) + 4)
		return 0;
	plen -= sizeof(*udp);
	p = (const __u8 *)(udp + 1);
	if (p + 4 > (const __u8 *)end)
		return 1;
	/* the cheap test that leaves everything else alone */
	if (p[0] != 'O' || p[1] != 'R' || p[2] != 'D' || p[3] != 'O')
		return 0;
	if (p + ORDO_WIRE_FIXED_LEN > (const __u8 *)end)
		return 1;
	/* reads [0, min(plen, ORDO_WIRE_FIXED_LEN)) only */
	ret = ordo_wire_validate(p, plen);
	if (ret >= 0) {
		hlen = (__u32)ret;
		opaque(hlen);
		if (hlen > ORDO_WIRE_MAX_LEN)
			return 0;
		alen = plen - hlen;
		if (alen >= ORDO_APP_HDR_LEN) {
			if (p + hlen + ORDO_APP_HDR_LEN > (const __u8 *)end)
				return 1;
			__builtin_memcpy(app, p + hlen, ORDO_APP_HDR_LEN);
		} else if (alen) {
			if (p + hlen + 1 > (const __u8 *)end)
				return 1;
			app[0] = p[hlen];
		}
	}
	account_ordo(key, p, app, plen, ret);
	return 0;
}

static __always_inline void account(struct __sk_buff *skb, __u32 l3, __u8 dir)
{
	struct msgstat_key key __attribute__((aligned(8)));

	__builtin_memset(&key, 0, sizeof(key));
	key.dir = dir;
	if (!account_direct(skb, l3, &key))
		return;
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
	/* BTF pointers: plain (fault-safe) loads instead of three
	 * bpf_probe_read_kernel() calls
	 */
	struct task_struct *task = bpf_get_current_task_btf();
	struct msgstat_stamp_key k = { .event = event };
	__u32 i, idx;
	__u64 *c, zero = 0;

	if (k.event >= MSGSTAT_NR_ST)
		return 0;
	k.netns = task->nsproxy->net_ns->ns.inum;
	/* an attached namespace: a slot of stamp_cnt, no hash */
	for (i = 0; i < MSGSTAT_STAMP_NS; i++) {
		if (!stamp_ns[i])
			break;
		if (stamp_ns[i] != k.netns)
			continue;
		idx = i * MSGSTAT_ST_STRIDE + k.event;
		c = bpf_map_lookup_elem(&stamp_cnt, &idx);
		if (c)
			*c += 1;
		return 0;
	}
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
