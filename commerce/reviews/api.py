"""Review endpoints: a product's reviews, writing, editing, moderating and voting."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.pagination import PageNumberPagination
from nexus.api.parsers import JSONParser
from nexus.api.permissions import IsAdminRole
from nexus.api.schema import api_operation

from . import selectors, services
from .serializers import (
    MAX_ID,
    HelpfulSerializer,
    ModerationSerializer,
    ReviewEditSerializer,
    ReviewListQuerySerializer,
    ReviewSerializer,
    ReviewSummarySerializer,
    ReviewWriteSerializer,
)


class NotAPurchaser(exceptions.PermissionDenied):
    default_detail = (
        "Only customers with a paid, shipped or delivered order of this product "
        "may review it."
    )
    default_code = "not_a_purchaser"


def summary_of(product_id: int) -> dict:
    rating = selectors.product_rating(product_id=product_id)
    return ReviewSummarySerializer(
        {
            "average": rating.average,
            "count": rating.count,
            "histogram": rating.histogram,
        }
    ).data


class ReviewPagination(PageNumberPagination):
    """The usual page, plus the product's `rating` summary beside it."""

    def get_paginated_response_schema(self, schema: dict) -> dict:
        page = super().get_paginated_response_schema(schema)
        page["properties"]["rating"] = {
            "type": "object",
            "description": "The product's approved reviews summed: `average` "
            "(decimal string, 2 places, null before the first), `count` and "
            "`histogram` (reviews per number of stars, keys `1` to `5`).",
            "required": ["average", "count", "histogram"],
            "properties": {
                "average": {"type": "string", "nullable": True, "format": "decimal"},
                "count": {"type": "integer", "minimum": 0},
                "histogram": {
                    "type": "object",
                    "required": ["1", "2", "3", "4", "5"],
                    "properties": {
                        str(n): {"type": "integer", "minimum": 0} for n in range(1, 6)
                    },
                },
            },
        }
        page["required"] = [*page["required"], "rating"]
        return page


def _product_or_404(product_id: int) -> int:
    if not 0 < product_id <= MAX_ID or not selectors.product_reviewable(
        product_id=product_id
    ):
        raise exceptions.NotFound()
    return product_id


NO_PRODUCT = "No product with this id on sale (`not_found`)."


class ProductReviewsView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    # JSON only, as the contract says: a form body has no business here.
    parser_classes = [JSONParser]
    pagination_class = ReviewPagination

    @api_operation(
        summary="List a product's reviews",
        description="Approved reviews of a product, newest first (`ordering=-helpful` "
        "for the most helpful first), each by a verified buyer; beside the page, "
        "`rating` sums every approved review: average, count and a histogram of "
        "stars. Anyone may call it, without a token. Paginated.",
        parameters=[ReviewListQuerySerializer],
        responses={200: ReviewSerializer(many=True)},
        errors=[400, 401, 404, 429],
        notes={
            400: "A field map: an unknown `ordering`, or a `page_size` below 1.",
            401: "Only when an `Authorization` header is sent and its token is "
            "invalid or expired (`token_not_valid`): this operation needs none.",
            404: NO_PRODUCT + " Or no such page.",
        },
    )
    def get(self, request: Request, product_id: int) -> Response:
        _product_or_404(product_id)
        query = ReviewListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        reviews = selectors.reviews_approved(
            product_id=product_id, ordering=query.validated_data.get("ordering")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(reviews, request, view=self)
        response = paginator.get_paginated_response(
            ReviewSerializer(page, many=True).data
        )
        response.data["rating"] = summary_of(product_id)
        return response

    @api_operation(
        summary="Review a product you bought",
        description="A customer with a paid, shipped or delivered order of the "
        "product (not cancelled or refunded) reviews it, once: `rating` 1 to 5, "
        "`title` and `body` as plain text (markup is removed). The review starts "
        "`pending` and shows once a moderator approves it; its author is told of "
        "the decision.",
        request=ReviewWriteSerializer,
        responses={201: ReviewSerializer},
        errors=[400, 401, 403, 404, 409, 413, 429],
        conflicts=["AlreadyReviewed"],
        notes={
            400: "A field map: a `rating` outside 1 to 5, an empty or overlong "
            "`title`, an overlong `body`.",
            403: "Signed in, but without a paid (or later) order of this product "
            "(`not_a_purchaser`).",
            404: NO_PRODUCT,
            409: "You already reviewed this product (`already_reviewed`, with "
            "`review_id`): edit that review instead.",
        },
    )
    def post(self, request: Request, product_id: int) -> Response:
        _product_or_404(product_id)
        line = selectors.purchase_line_for(user=request.user, product_id=product_id)
        if line is None:
            raise NotAPurchaser()
        serializer = ReviewWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_create(
            author=request.user, order_line=line, **serializer.validated_data
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


NOT_YOURS = "No review with this id written by you (`not_found`)."


class ReviewDetailView(APIView):
    permission_classes = [IsAuthenticated]
    # JSON only, as the contract says: a form body has no business here.
    parser_classes = [JSONParser]

    @api_operation(
        summary="Edit your review",
        description="Its author changes any of `rating`, `title` and `body` of a "
        "pending or approved review; it goes back to `pending` (and out of the "
        "product's rating) until a moderator approves it again.",
        request=ReviewEditSerializer,
        responses={200: ReviewSerializer},
        errors=[400, 401, 404, 409, 413, 429],
        conflicts=["InvalidTransition"],
        notes={
            400: "A field map: a `rating` outside 1 to 5, an empty or overlong "
            "`title`, an overlong `body`.",
            404: NOT_YOURS,
            409: "A rejected review cannot be edited (`invalid_transition`).",
        },
    )
    def patch(self, request: Request, review_id: int) -> Response:
        serializer = ReviewEditSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        review = services.review_edit(
            author=request.user, review_id=review_id, **serializer.validated_data
        )
        return Response(ReviewSerializer(review).data)

    @api_operation(
        summary="Delete your review",
        description="Its author deletes a review; an approved one leaves the "
        "product's rating at once.",
        responses={204: None},
        errors=[401, 404, 429],
        notes={404: NOT_YOURS},
    )
    def delete(self, request: Request, review_id: int) -> Response:
        services.review_delete(author=request.user, review_id=review_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReviewModerateView(APIView):
    permission_classes = [IsAdminRole]
    # JSON only, as the contract says: a form body has no business here.
    parser_classes = [JSONParser]

    @api_operation(
        summary="Approve or reject a review (staff)",
        description="Shop administrators only. `approved` shows the review and "
        "counts it in the product's rating; `rejected` hides it (and takes an "
        "approved one out of the rating). A rejected review may be approved later "
        "and an approved one taken down. The author is notified "
        "(`review_moderated`).",
        request=ModerationSerializer,
        responses={200: ReviewSerializer},
        errors=[400, 401, 403, 404, 409, 413, 429],
        conflicts=["InvalidTransition"],
        notes={
            400: "A field map: `status` other than `approved` or `rejected`.",
            403: "Signed in, but not a shop administrator (`permission_denied`).",
            404: "No review with this id (`not_found`).",
            409: "The review already has that status (`invalid_transition`).",
        },
    )
    def post(self, request: Request, review_id: int) -> Response:
        serializer = ModerationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_moderate(
            review_id=review_id,
            status=serializer.validated_data["status"],
            moderator=request.user,
        )
        return Response(ReviewSerializer(review).data)


NOT_VISIBLE = "No approved review with this id (`not_found`)."


class ReviewHelpfulView(APIView):
    permission_classes = [IsAuthenticated]

    @api_operation(
        summary="Mark a review helpful",
        description="Counts the signed-in shopper's vote for an approved review, "
        "once: the first vote answers 201, a repeat 200 with the count unchanged. "
        "Nobody votes for their own review. No body.",
        request=None,
        responses={
            201: HelpfulSerializer,
            200: OpenApiResponse(HelpfulSerializer, description="Already voted."),
        },
        errors=[401, 404, 409, 429],
        conflicts=["OwnReview"],
        notes={404: NOT_VISIBLE, 409: "Your own review (`own_review`)."},
    )
    def post(self, request: Request, review_id: int) -> Response:
        review, created = services.review_helpful_vote(
            user=request.user, review_id=review_id
        )
        body = HelpfulSerializer(
            {
                "review_id": review.pk,
                "helpful_count": review.helpful_count,
                "voted": True,
            }
        ).data
        return Response(body, status=201 if created else 200)

    @api_operation(
        summary="Take back a helpful vote",
        description="Removes the signed-in shopper's vote, if there is one.",
        responses={204: None},
        errors=[401, 404, 429],
        notes={404: NOT_VISIBLE},
    )
    def delete(self, request: Request, review_id: int) -> Response:
        if not selectors.review_visible(review_id=review_id):
            raise exceptions.NotFound()
        services.review_helpful_unvote(user=request.user, review_id=review_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
